#pragma once
// Base64 bodies (RFC 2045 6.8), decoded.
//
// Why not mimetic's Base64::Decoder, the codec the rest of mime/ uses: it
// takes one byte at a time through an output iterator, and needs the
// alphabet checked first in a pass of its own (it indexes a table with any
// byte); on attachments it was a quarter of mimeparse's time. This decoder
// checks and decodes in one pass, four letters at a time, and gives the
// bytes mimetic gives for the same input (tests/unit/base64_test.cpp holds
// the two side by side).

#include <string>
#include <string_view>

namespace forumgate::mime {

// The letters of body decoded in order; line ends and blanks skipped.
// Sets bad (never clears it) when body holds other bytes than letters, '='
// padding, line ends and blanks, when letters follow the padding (they are
// decoded all the same), or when a lone letter is left at the end (six bits
// make no byte; it is dropped). A last group of two or three letters gives
// one or two bytes, padded or not.
std::string decode_base64(std::string_view body, bool& bad);

}  // namespace forumgate::mime
