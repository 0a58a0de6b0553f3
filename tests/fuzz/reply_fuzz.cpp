// libFuzzer target: any bytes as a plain-text body: format=flowed unwrapped
// (with and without DelSp), the reply trimmed off, stub detection.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mime/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)unflow(s, false);
  (void)unflow(s, true);
  (void)trim_reply(s);
  (void)is_stub_text(s);
  return 0;
}
