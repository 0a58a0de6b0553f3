// libFuzzer target: any bytes as a message, through the MIME walker alone:
// its tree (mimeparse --tree), every part decoded, parts found by number.

#include <cstddef>
#include <cstdint>
#include <string>

#include "mime/message.hpp"
#include "mime/tree.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  Limits limits;
  Message m = parse_message(std::string(reinterpret_cast<const char*>(data), size), limits);
  (void)render_tree(m);
  for_each_part(m.root, [&](const Part& p) {
    std::vector<std::string> defects;
    (void)decode_body(m, p, &defects);
    (void)p.filename();
    (void)m.raw(p);
    if (find_part(m.root, p.number) == nullptr) __builtin_trap();
  });
  return 0;
}
