// libFuzzer target: any bytes as a header value, through every header
// decoder (RFC 2047 words, RFC 2231 parameters, addresses, message ids,
// dates) and the charset converter.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mime/address.hpp"
#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"
#include "mime/params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)decode_header_text(s);
  (void)parse_header_value(s);
  (void)parse_address_list(s);
  (void)parse_message_ids(s);
  (void)parse_date(s);
  // The first line names a charset, the rest is text in it.
  auto nl = s.find('\n');
  if (nl != std::string_view::npos) (void)to_utf8(s.substr(nl + 1), s.substr(0, nl));
  return 0;
}
