// libFuzzer target: any bytes as a Date: value (RFC 5322 and the obsolete
// and broken forms mailers wrote), and as the date of an mbox From_ line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mime/address.hpp"
#include "spool/from_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)mime::parse_date(s);
  std::string line = "From sender@example.org " + std::string(s);
  auto sender = spool::from_line_sender(line);
  if (sender && sender->size() > line.size()) __builtin_trap();
  (void)spool::is_from_line(s);
  return 0;
}
