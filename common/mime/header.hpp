#pragma once
// The header of a message or of a MIME part, as fields in their order.
//
// Splitting a header block into fields is ours (linear, bounded); decoding
// the values is the job of the decoders beside this file.

#include <string>
#include <string_view>
#include <vector>

namespace forumgate::mime {

struct HeaderField {
  std::string name;   // as written (compare with iequals)
  std::string value;  // unfolded (CRLF/LF + WSP removed), raw bytes, trimmed
};

using Headers = std::vector<HeaderField>;

// ASCII case-insensitive comparison, as header names and tokens need.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// The value of the first field named name, or nullptr.
const std::string* find_field(const Headers& headers, std::string_view name);

}  // namespace forumgate::mime
