#pragma once
// The quoted history and the signature of an HTML reply, found by the
// structure each client gives them (classes, ids, type="cite", Word's
// header block; the list is in docs/post-record.md) and cut out of the HTML
// before it is made text or sanitized. A quote is cut only when none of the
// author's text follows it; a forward is never cut. Linear in the HTML;
// HTML nested too deep for a bounded parse is left as it is (found false).

#include <string>
#include <string_view>

namespace forumgate::mime {

struct HtmlReply {
  bool found = false;     // some client structure was recognized (even if nothing was cut)
  std::string html;       // the HTML without the quote and the signature
  std::string quoted;     // the quote's HTML, its pieces in order
  std::string signature;  // the signature's HTML
};

HtmlReply split_html_reply(std::string_view html, std::string_view subject = {});

}  // namespace forumgate::mime
