// libFuzzer target: any bytes as an HTML body: sanitized (what the forum
// stores), turned into text, its <meta> charset; and text turned into HTML.
// The sanitized HTML must hold no script and no event handler.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "forum/body.hpp"
#include "mime/html.hpp"

namespace {

bool contains_lower(const std::string& s, std::string_view what) {
  std::string lower = s;
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower.find(what) != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forumgate::mime;
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::string clean = sanitize_html(s);
  if (contains_lower(clean, "<script")) __builtin_trap();
  (void)html_to_text(s);
  (void)html_to_text_and_sanitized(s);
  (void)html_meta_charset(s);
  (void)forumgate::forum::text_to_html(s);
  return 0;
}
