#pragma once
// HTML, parsed as a browser would parse it: by gumbo (an HTML5 parser,
// html_gumbo.hpp), or, for simple documents, by a shortcut that builds the
// same tree directly (html_simple_tree.hpp); then read as text
// (html_text.hpp) or sanitized (html_sanitize.hpp). Input and output are
// UTF-8.

#include <string>
#include <string_view>

namespace forumgate::mime {

// Readable plain text: paragraphs and <br> as line breaks, lists as
// "- item" / "1. item", links as "text <url>" (just the URL when the text
// is the URL), headings and blockquotes kept as text, script/style/head
// dropped, entities decoded, runs of blank lines collapsed.
std::string html_to_text(std::string_view html);

// The HTML with only an allow-list of elements and attributes kept: no
// script, style, iframe, object, form, event attributes (on*), style
// attributes, and no URL other than http:, https:, mailto: (nor relative
// ones: no javascript:, data:, vbscript:). Text is escaped, the result is a
// well-formed fragment (the body's content).
std::string sanitize_html(std::string_view html);

// html_to_text and sanitize_html of the same HTML, from one parse: for
// HTML that is both the body's text and the record's HTML.
struct TextAndSanitized {
  std::string text;
  std::string sanitized;
};
TextAndSanitized html_to_text_and_sanitized(std::string_view html);

// The charset a <meta charset> or <meta http-equiv="Content-Type"
// content="...; charset=..."> in the first 1024 bytes declares (the HTML
// prescan, WHATWG HTML 13.2.3.2, simplified); "" when none.
std::string html_meta_charset(std::string_view html);

namespace detail {
// For tests of the shortcut past gumbo for simple HTML: the same functions
// with gumbo always, and whether the shortcut takes html.
std::string html_to_text_gumbo(std::string_view html);
std::string sanitize_html_gumbo(std::string_view html);
bool is_simple_html(std::string_view html);
}  // namespace detail

}  // namespace forumgate::mime
