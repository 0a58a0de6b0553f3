#include "util/printable.hpp"

#include "util/text.hpp"

namespace forumgate::util {
namespace {

// The code point of the well-formed sequence of length len at s[i].
char32_t code_point(std::string_view s, std::size_t i, std::size_t len) {
  auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
  if (len == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (len == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

bool is_hidden_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool is_control_byte(unsigned char c, Newlines newlines) {
  if (c == '\t' || (c == '\n' && newlines == Newlines::kept)) return false;
  return c < 0x20 || c == 0x7F;
}

constexpr char hex[] = "0123456789ABCDEF";

}  // namespace

bool is_printable(std::string_view text, Newlines newlines) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (is_control_byte(c, newlines)) return false;
      ++i;
      continue;
    }
    const std::size_t len = utf8_length(text, i);
    if (len == 0 || is_hidden_code_point(code_point(text, i, len))) return false;
    i += len;
  }
  return true;
}

std::string printable(std::string_view text, Newlines newlines) {
  if (is_printable(text, newlines)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (is_control_byte(c, newlines)) {
        out += '^';
        out += c == 0x7F ? '?' : static_cast<char>(c + 0x40);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const std::size_t len = utf8_length(text, i);
    if (len == 0) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
      ++i;
      continue;
    }
    if (const char32_t cp = code_point(text, i, len); is_hidden_code_point(cp)) {
      out += "<U+";
      for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
      out += '>';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace forumgate::util
