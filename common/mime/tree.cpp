#include "mime/tree.hpp"

#include <algorithm>
#include <vector>

#include "mime/encoded_words.hpp"
#include "util/printable.hpp"

namespace forumgate::mime {

namespace {

// Decoding defects (bad base64, an unknown encoding) are found while the
// sizes are worked out, and listed after the structure's.
void render_part(const Message& m, const Part& p, std::string& out, std::vector<std::string>& defects) {
  out.append(2 * static_cast<size_t>(std::count(p.number.begin(), p.number.end(), '.')), ' ');
  // Everything but the numbers comes from the message: shown, never obeyed.
  out += p.number + " " + util::printable(p.type());
  if (const std::string* charset = p.content_type.param("charset")) out += "; charset=" + util::printable(*charset);
  if (p.encoding != "7bit") out += " " + util::printable(p.encoding);
  if (!p.is_multipart() && !p.is_message()) out += " " + std::to_string(decode_body(m, p, &defects).size()) + " bytes";
  if (!p.disposition.value.empty()) out += " " + util::printable(p.disposition.value);
  if (std::string name = p.filename(); !name.empty()) out += " \"" + util::printable(name) + "\"";
  out += "\n";
  for (const auto& child : p.children) render_part(m, child, out, defects);
}

}  // namespace

std::string render_tree(const Message& message) {
  std::string out;
  std::vector<std::string> defects = message.defects;
  render_part(message, message.root, out, defects);
  for (const auto& defect : defects) out += "defect: " + util::printable(defect) + "\n";
  return out;
}

}  // namespace forumgate::mime
