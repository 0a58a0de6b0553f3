// libFuzzer target: any bytes as a bounce (a message, as forumpost reads
// the mail that comes back to a VERP address), its delivery status report
// read wherever it is; and the same bytes as a delivery-status body.

#include <cstddef>
#include <cstdint>
#include <string>

#include "mime/dsn.hpp"
#include "mime/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Limits limits;
  Message m = parse_message(bytes, limits);
  Dsn dsn = read_dsn(m);
  for (const auto& r : dsn.recipients) {
    // A recipient's fields are one line each: they go to a record and a log.
    for (const std::string* field : {&r.address, &r.action, &r.status, &r.diagnostic})
      if (field->find('\n') != std::string::npos) __builtin_trap();
  }
  (void)dsn_groups(bytes);
  return 0;
}
