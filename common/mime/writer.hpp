#pragma once
// Writing a message: header fields that nothing in their text can break,
// and bodies encoded for any transport. The reverse of header.hpp and the
// decoders beside it.
//
// Guarantees: no CR, LF or NUL from the text reaches a field (they, and the
// other control characters, become spaces); a field is folded at blanks to
// lines of at most 78 bytes where its items allow, and no line is ever over
// 998 bytes (RFC 5322 2.1.1, 2.2.3); non-ASCII text, and text that would
// read as an encoded word, goes as RFC 2047 encoded words of at most 75
// bytes, never splitting a character; fields end with LF.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace forumgate::mime {

// Text made fit for a field: valid UTF-8 (each bad byte as U+FFFD),
// controls as spaces, runs of blanks as one, no blank at either end.
std::string clean_header_text(std::string_view text);

// "Name: text\n" for unstructured text (Subject), folded, with encoded
// words where needed.
std::string unstructured_field(std::string_view name, std::string_view text);

// "Name: display <address>\n": the display name quoted, or as encoded
// words; just the address when display is empty. address is ours (from
// the configuration), a plain local@domain.
std::string address_field(std::string_view name, std::string_view display, std::string_view address);

// "Name: item1 item2\n" (separator between items, e.g. ", "), folded
// between items: msg-ids, <URL>s, already in their final form.
std::string list_field(std::string_view name, const std::vector<std::string>& items, std::string_view separator = " ");

// Quoted-printable (RFC 2045 6.7) of text with LF, CRLF or CR line ends:
// lines of at most 76 bytes ending in LF; "From " at a line's start
// encoded (mbox).
std::string quoted_printable(std::string_view text);

// Base64 in lines of 76 bytes, each ended with LF.
std::string base64_lines(std::string_view bytes);

// "; name=\"value\"" for a MIME parameter, or RFC 2231's
// "; name*0*=utf-8''..." continuations when value is not plain ASCII or
// long, each on a line of its own.
std::string mime_parameter(std::string_view name, std::string_view value);

// An RFC 5322 date-time in UTC ("Tue, 01 Dec 2026 21:05:08 +0000").
std::string rfc5322_date(std::int64_t epoch_seconds);

}  // namespace forumgate::mime
