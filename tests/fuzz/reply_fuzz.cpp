// libFuzzer target: any bytes as a plain-text body: format=flowed unwrapped
// (with and without DelSp), the reply trimmed off, stub detection; and the
// same bytes as an HTML reply whose quote is cut by its client's structure.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mime/html_reply.hpp"
#include "mime/reply.hpp"
#include "mime/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)unflow(s, false);
  (void)unflow(s, true);
  (void)trim_reply(s);
  (void)is_stub_text(s);
  (void)split_html_reply(s, "Re: x");
  return 0;
}
