// libFuzzer target: any bytes as an address list (From:, To:, Cc:) and as
// a list of message ids (References:, In-Reply-To:).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mime/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  for (const auto& a : parse_address_list(s)) (void)a;
  for (const auto& id : parse_message_ids(s))
    if (id.size() < 2 || id.front() != '<' || id.back() != '>') __builtin_trap();
  return 0;
}
