// libFuzzer target: any bytes, as a message, through the whole record
// builder (walker, decoders, charsets, HTML, trimming, JSON). It must never
// crash, hang, or leak, and the JSON must always serialize.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mime/message.hpp"
#include "mime/tree.hpp"
#include "post/builder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate;
  mime::Message m = mime::parse_message(std::string(reinterpret_cast<const char*>(data), size));
  post::BuildOptions options;
  options.loop_value = "forum@example.org";
  nlohmann::ordered_json j = post::build_record(m, options);
  (void)j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  (void)mime::render_tree(m);
  return 0;
}
