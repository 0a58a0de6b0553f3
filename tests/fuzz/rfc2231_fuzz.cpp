// libFuzzer target: any bytes as a structured header value with parameters
// (Content-Type, Content-Disposition: RFC 2045, 2183, 2231 continuations
// and charsets), and the attachment names made of them: sanitized, unique,
// never a path.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mime/filename.hpp"
#include "mime/params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  HeaderValue v = parse_header_value(s);
  FileNames names;
  for (const auto& [name, value] : v.params) {
    (void)v.param(name);
    for (int i = 0; i < 2; ++i) {
      std::string safe = names.add(value, v.value);
      if (safe.empty() || safe.find('/') != std::string::npos || safe.find('\0') != std::string::npos || safe == "." ||
          safe == "..")
        __builtin_trap();
    }
  }
  return 0;
}
