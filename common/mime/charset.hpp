#pragma once
// Charsets to UTF-8, with iconv (glibc) and uchardet.
//
// Labels are resolved the way browsers do (WHATWG Encoding): "iso-8859-1"
// and "us-ascii" mean windows-1252, "ks_c_5601-1987" means cp949, and so on,
// because that is what the senders' software really wrote. Text with no
// declared charset is valid UTF-8 or else uchardet's guess, else
// windows-1252. Bytes that are invalid in their charset become U+FFFD:
// replaced, never dropped silently.

#include <string>
#include <string_view>

namespace forumgate::mime {

struct Converted {
  std::string text;              // UTF-8
  std::string charset;           // the canonical label actually used
  bool replaced = false;         // some bytes were invalid and became U+FFFD
  bool unknown_charset = false;  // the declared label was unknown; detected instead
  bool mislabeled = false;       // declared us-ascii but has 8-bit bytes; detected instead
  // Bytes were invalid in the declared charset but all are valid UTF-8: read
  // as UTF-8 (charset says so), as a mail reader shows them.
  bool read_as_utf8 = false;
  std::string declared;  // the charset that did not fit, when read_as_utf8
};

// Lower-case canonical name for label ("latin1" -> "windows-1252",
// "UTF8" -> "utf-8"); empty when label is empty; the lower-cased label
// itself when it has no alias.
std::string canonical_charset(std::string_view label);

bool is_valid_utf8(std::string_view bytes);

// The charset of undeclared text: "us-ascii" when 7-bit, "utf-8" when valid
// UTF-8, else uchardet's guess, else "windows-1252".
std::string detect_charset(std::string_view bytes);

// bytes in charset (detected when empty) as UTF-8, without NUL characters.
// An unknown label, or one iconv must not see ("utf-8//TRANSLIT"), is
// detected instead and flagged; so is 8-bit text labelled us-ascii. Text
// that is invalid in its charset and valid UTF-8 is read as UTF-8.
Converted to_utf8(std::string_view bytes, std::string_view charset);

// Invalid UTF-8 sequences in s replaced by U+FFFD; NUL bytes removed.
std::string scrub_utf8(std::string_view s, bool* replaced = nullptr);

}  // namespace forumgate::mime
