#pragma once
// Plain-text bodies: format=flowed, stubs (reply trimming: reply.hpp).

#include <string>
#include <string_view>

namespace forumgate::mime {

// RFC 3676 format=flowed unwrapped into paragraphs (soft line breaks
// joined, DelSp=yes honoured, space-stuffing removed, quote depth kept).
std::string unflow(std::string_view text, bool delsp);

// Whether a text/plain alternative is only a stub ("This is an HTML
// message", "Your mail client does not support HTML", empty or white
// space only), so that the HTML alternative should be used instead.
bool is_stub_text(std::string_view text);

}  // namespace forumgate::mime
