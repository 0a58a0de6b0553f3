// libFuzzer target: any bytes as Authentication-Results values (RFC 8601),
// as forumpost reads them to trust a From address: the first line is our
// authserv-id, the second the From address, each further line one value.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "forum/auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  for (size_t at = 0; at <= s.size();) {
    size_t nl = s.find('\n', at);
    if (nl == std::string_view::npos) nl = s.size();
    lines.emplace_back(s.substr(at, nl - at));
    at = nl + 1;
  }
  if (lines.size() < 3) return 0;
  std::vector<std::string> results(lines.begin() + 2, lines.end());
  (void)forumgate::forum::authenticated(results, lines[0], lines[1]);
  return 0;
}
