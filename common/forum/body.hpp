#pragma once
// Text for the forum's columns: HTML-escaped, in the column's charset.
//
// forumpost talks UTF-8 to the server, which converts to each column's
// charset; characters that charset cannot hold would become '?'. So before
// that, they are written as numeric character references (&#8364;), which
// the forum's HTML shows as the characters they are.

#include <string>
#include <string_view>

namespace forumgate::forum {

// &, <, >, " and ' as entities.
std::string escape_html(std::string_view text);

// Plain text as safe HTML for the forum: escaped, paragraphs as <p>, line
// breaks as <br>, http(s) URLs as links.
std::string text_to_html(std::string_view text);

// Code points that the MySQL charset cannot hold as &#N; references. Known:
// latin1 (which MySQL means as windows-1252), ascii, utf8/utf8mb3 and ucs2
// (no code point above U+FFFF), utf8mb4, utf16, utf16le, utf32 and binary
// (everything); any other charset is treated as ascii, which is safe if
// wasteful.
std::string fit_charset(std::string_view utf8, std::string_view mysql_charset);

// At most max_bytes of utf8, cut at a character boundary.
std::string truncate_utf8(std::string_view utf8, std::size_t max_bytes);

// HTML text cut to max bytes without splitting a character or an entity.
std::string truncate_html(const std::string& s, size_t max);

// A Message-ID for the ascii column that records it (the key is its hash
// anyway): at most 998 bytes (RFC 5322's line limit), 8-bit bytes as '?'.
std::string ascii_id(const std::string& id);

// An address for the latin1 column that records a post's sender: the
// address when it is printable ASCII of at most 255 bytes, else "" (a
// sender recorded wrongly could match a subscriber who is not the author).
std::string ascii_address(const std::string& address);

}  // namespace forumgate::forum
