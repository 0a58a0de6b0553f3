#pragma once
// HTML to text: a parsed document's body as the plain text a reader of the
// page would see, for a forum that shows plain text: paragraphs and <br> as
// line breaks, lists as "- item" / "1. item", links as "text <url>",
// blockquotes as "> " lines, tables as "a | b" rows; what no reader sees
// (script, style, head, ...) left out, and at most one blank line in a row.

#include <gumbo.h>

#include <string>

namespace forumgate::mime::html {

// The text of body and everything in it ("" without a body).
std::string to_text(const GumboNode* body);

}  // namespace forumgate::mime::html
