#pragma once
// RFC 2047 encoded words in unstructured header text (Subject, a display
// name). B and Q encodings; adjacent encoded words separated only by white
// space are joined (their bytes concatenated before conversion, so a
// multi-byte character split across words survives); malformed words are
// left as written; RFC 2231 language suffixes (=?utf-8*fr?...) accepted.
// Undeclared 8-bit bytes in the raw header are converted as detected
// (see charset.hpp). The result is UTF-8 with line breaks removed.

#include <string>
#include <string_view>

namespace forumgate::mime {

std::string decode_header_text(std::string_view raw);

}  // namespace forumgate::mime
