#include "mime/text.hpp"

#include <vector>

#include "mime/header.hpp"
#include "util/text.hpp"

namespace forumgate::mime {

namespace {}  // namespace

// RFC 3676 section 4.1 (flowed lines), 4.3 (the signature separator is
// never flowed), 4.4 (space-stuffing), 4.5 (quote depth: a flowed line
// joins only a line of the same depth).
std::string unflow(std::string_view text, bool delsp) {
  std::string out;
  bool joining = false;  // the previous line was flowed and this one continues it
  std::size_t depth_of_paragraph = 0;
  for (std::string_view line : util::split_lines(text)) {
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // stuffing
    bool signature = content == "-- ";
    bool flowed = !signature && !content.empty() && content.back() == ' ';
    if (joining && (depth != depth_of_paragraph || signature)) {
      out.push_back('\n');  // a quote depth change ends the paragraph (4.5)
      joining = false;
    }
    if (!joining) {
      out.append(depth, '>');
      if (depth > 0 && !content.empty()) out.push_back(' ');
    }
    if (flowed && delsp) content.remove_suffix(1);
    out.append(content);
    joining = flowed;
    depth_of_paragraph = depth;
    if (!flowed) out.push_back('\n');
  }
  if (joining) out.push_back('\n');
  if (!out.empty() && out.back() == '\n' && (text.empty() || text.back() != '\n')) out.pop_back();
  return out;
}

bool is_stub_text(std::string_view text) {
  std::string_view t = util::trim(text, " \t\r\n");
  if (t.empty()) return true;
  if (t.size() > 300) return false;
  std::string lower = to_lower(t);
  if (lower.find("html") == std::string::npos) return false;
  for (std::string_view word :
       {"support", "view", "client", "program", "reader", "enable", "format", "version", "browser", "capable"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace forumgate::mime
