#include "forum/body.hpp"

#include <array>
#include <cstdint>

namespace forumgate::forum {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// The code points of windows-1252's bytes 0x80-0x9F (0: undefined there;
// MySQL's latin1 keeps those five bytes as the C1 controls of the same value).
constexpr std::array<std::uint16_t, 32> cp1252_high = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                       0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

bool in_latin1(std::uint32_t cp) {
  if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) return true;
  for (auto c : cp1252_high)
    if (c == cp) return true;
  return false;
}

// The code point at s[i] (valid UTF-8 assumed; a bad byte is taken alone)
// and its length.
std::uint32_t decode(std::string_view s, size_t i, size_t& len) {
  auto b = static_cast<unsigned char>(s[i]);
  len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (b < 0x80 || i + len > s.size()) {
    len = 1;
    return b;
  }
  std::uint32_t cp = b & (0x3F >> (len - 1));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

}  // namespace

std::string fit_charset(std::string_view utf8, std::string_view charset) {
  if (charset == "utf8mb4") return std::string(utf8);
  const bool latin1 = charset == "latin1";
  const bool utf8mb3 = charset == "utf8" || charset == "utf8mb3";
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    size_t len;
    std::uint32_t cp = decode(utf8, i, len);
    bool fits = cp < 0x80 || (latin1 && in_latin1(cp)) || (utf8mb3 && cp <= 0xFFFF);
    if (fits) out.append(utf8.substr(i, len));
    else out += "&#" + std::to_string(cp) + ";";
    i += len;
  }
  return out;
}

std::string truncate_utf8(std::string_view utf8, std::size_t max_bytes) {
  if (utf8.size() <= max_bytes) return std::string(utf8);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
  return std::string(utf8.substr(0, end));
}

}  // namespace forumgate::forum
