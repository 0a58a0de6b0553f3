#include "mime/tree.hpp"

#include <algorithm>

#include "mime/encoded_words.hpp"

namespace forumgate::mime {

namespace {

void render_part(const Message& m, const Part& p, std::string& out) {
  out.append(2 * static_cast<size_t>(std::count(p.number.begin(), p.number.end(), '.')), ' ');
  out += p.number + " " + p.type();
  if (const std::string* charset = p.content_type.param("charset")) out += "; charset=" + *charset;
  if (p.encoding != "7bit") out += " " + p.encoding;
  if (!p.is_multipart() && !p.is_message())
    out += " " + std::to_string(decode_body(m, p).size()) + " bytes";
  if (!p.disposition.value.empty()) out += " " + p.disposition.value;
  if (std::string name = p.filename(); !name.empty()) out += " \"" + name + "\"";
  out += "\n";
  for (const auto& child : p.children) render_part(m, child, out);
}

}  // namespace

std::string render_tree(const Message& message) {
  std::string out;
  render_part(message, message.root, out);
  for (const auto& defect : message.defects) out += "defect: " + defect + "\n";
  return out;
}

}  // namespace forumgate::mime
