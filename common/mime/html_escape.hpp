#pragma once
// Text as HTML: &, < and > (and " in an attribute value) as character
// references, all else as it is. The sanitizer writes every text so, and so
// does the forum's text_to_html.

#include <string>
#include <string_view>

namespace forumgate::mime::html {

// Runs of bytes that need no escape are appended whole: every text of a
// sanitized document passes here.
inline void escape(std::string& out, std::string_view s, bool attribute_value) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '&' && c != '<' && c != '>' && (c != '"' || !attribute_value)) continue;
    out.append(s.data() + run, i - run);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += "&quot;";
    }
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

}  // namespace forumgate::mime::html
