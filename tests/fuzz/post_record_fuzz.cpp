// libFuzzer target: any bytes as a post record (one line of forumpost
// --records): parsed, validated, and written back. A record accepted must
// hold nothing that can split a header or a log line.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "post/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate;
  nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  post::Record r;
  try {
    from_json(j, r);
  } catch (const std::exception&) {
    return 0;
  }
  auto clean = [](const std::optional<std::string>& v) {
    return !v || v->find_first_of(std::string("\r\n\0", 3)) == std::string::npos;
  };
  if (!clean(r.message_id) || !clean(r.in_reply_to) || !clean(r.recipient) || !clean(r.from.address) ||
      !clean(r.from.name))
    __builtin_trap();
  (void)post::dump_json(r);
  return 0;
}
