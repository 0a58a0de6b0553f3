// libFuzzer target: any bytes as an unstructured header value with RFC 2047
// encoded words (Subject:), decoded to UTF-8. The result must be UTF-8.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::string decoded = decode_header_text(s);
  if (!is_valid_utf8(decoded)) __builtin_trap();
  return 0;
}
