#pragma once
// The sanitizer: a parsed document's body as HTML that a forum may show,
// with only an allow-list of elements and attributes, no URL but http:,
// https: and mailto:, every text escaped, and always a well-formed
// fragment. Also the rules it shares with html_to_text: which elements no
// reader sees, and which URLs a link may keep.

#include <gumbo.h>

#include <string>
#include <string_view>

namespace forumgate::mime::html {

// The body's content, sanitized ("" without a body).
std::string sanitize(const GumboNode* body);

// Elements whose content no reader sees (head, script, style, forms'
// inputs, embedded objects, svg, math, ...): dropped with all inside them.
bool is_dropped(GumboTag tag);

// The scheme of a URL as a browser sees it: white space and control
// characters are removed first (browsers strip tabs and newlines anywhere
// in a URL), then letters are folded. Empty when there is no scheme.
std::string url_scheme(std::string_view url);

// http: and https:, and for a link (not an image) mailto:.
bool is_safe_url(std::string_view url, bool image);

// The URL as written, without what browsers strip anyway: leading and
// trailing spaces and controls, tabs and newlines inside.
std::string clean_url(std::string_view url);

}  // namespace forumgate::mime::html
