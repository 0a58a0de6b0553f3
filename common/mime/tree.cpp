#include "mime/tree.hpp"

#include <algorithm>
#include <vector>

#include "mime/encoded_words.hpp"

namespace forumgate::mime {

namespace {

// Decoding defects (bad base64, an unknown encoding) are found while the
// sizes are worked out, and listed after the structure's.
void render_part(const Message& m, const Part& p, std::string& out, std::vector<std::string>& defects) {
  out.append(2 * static_cast<size_t>(std::count(p.number.begin(), p.number.end(), '.')), ' ');
  out += p.number + " " + p.type();
  if (const std::string* charset = p.content_type.param("charset")) out += "; charset=" + *charset;
  if (p.encoding != "7bit") out += " " + p.encoding;
  if (!p.is_multipart() && !p.is_message()) out += " " + std::to_string(decode_body(m, p, &defects).size()) + " bytes";
  if (!p.disposition.value.empty()) out += " " + p.disposition.value;
  if (std::string name = p.filename(); !name.empty()) out += " \"" + name + "\"";
  out += "\n";
  for (const auto& child : p.children) render_part(m, child, out, defects);
}

}  // namespace

std::string render_tree(const Message& message) {
  std::string out;
  std::vector<std::string> defects = message.defects;
  render_part(message, message.root, out, defects);
  for (const auto& defect : defects) out += "defect: " + defect + "\n";
  return out;
}

}  // namespace forumgate::mime
