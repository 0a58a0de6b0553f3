#include "forum/body.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "mime/header.hpp"
#include "mime/html_escape.hpp"

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
  // Bytes are stored as they come, and the UTF-16 and UTF-32 sets hold
  // every code point; ucs2 only those below U+10000, as utf8mb3.
  if (charset == "utf8mb4" || charset == "binary" || charset == "utf16" || charset == "utf16le" || charset == "utf32")
    return std::string(utf8);
  const bool latin1 = charset == "latin1";
  const bool utf8mb3 = charset == "utf8" || charset == "utf8mb3" || charset == "ucs2";
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

std::string truncate_html(const std::string& s, size_t max) {
  std::string out = truncate_utf8(s, max);
  size_t amp = out.rfind('&');
  if (amp != std::string::npos && out.find(';', amp) == std::string::npos) out.resize(amp);
  return out;
}

std::string ascii_id(const std::string& id) {
  std::string out = id.substr(0, 998);
  for (char& c : out)
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '?';
  return out;
}

std::string ascii_address(const std::string& address) {
  if (address.size() > 255) return "";
  for (char c : address)
    if (static_cast<unsigned char>(c) > 0x7E || static_cast<unsigned char>(c) <= 0x20) return "";
  return address;
}

namespace {

// Where an http(s) URL that starts at i ends: at white space, '<', '>' or
// '"', without trailing punctuation (nor a ')' that opens nowhere in it).
std::size_t url_end(std::string_view text, std::size_t i) {
  std::size_t end = i;
  while (end < text.size() && !std::strchr(" \t\r\n<>\"", text[end])) ++end;
  while (end > i) {
    char c = text[end - 1];
    std::string_view url = text.substr(i, end - i);
    if (std::strchr(".,;:!?'", c) ||
        (c == ')' && std::count(url.begin(), url.end(), '(') < std::count(url.begin(), url.end(), ')')))
      --end;
    else break;
  }
  return end;
}

bool starts_url(std::string_view text, std::size_t i) {
  if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '/')) return false;
  for (std::string_view scheme : {"http://", "https://"})
    if (text.size() - i > scheme.size() && mime::iequals(text.substr(i, scheme.size()), scheme))
      return url_end(text, i) > i + scheme.size();
  return false;
}

void paragraph_to_html(std::string& out, std::string_view para) {
  out += "<p>";
  for (std::size_t i = 0; i < para.size();) {
    if (para[i] == '\n') {
      out += "<br>\n";
      ++i;
    } else if (starts_url(para, i)) {
      std::size_t end = url_end(para, i);
      std::string_view url = para.substr(i, end - i);
      out += "<a href=\"";
      mime::html::escape(out, url, true);
      out += "\">";
      mime::html::escape(out, url, false);
      out += "</a>";
      i = end;
    } else {
      mime::html::escape(out, para.substr(i, 1), false);
      ++i;
    }
  }
  out += "</p>\n";
}

}  // namespace

std::string text_to_html(std::string_view text) {
  std::string normalized;
  normalized.reserve(text.size());
  for (char c : text)
    if (c != '\r') normalized.push_back(c);
  std::string out;
  std::string_view rest = normalized;
  while (!rest.empty()) {
    // A paragraph ends at a line that is empty or only white space.
    std::size_t end = 0, pos = 0;
    for (;;) {
      std::size_t nl = rest.find('\n', pos);
      std::string_view line = rest.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
      if (line.find_first_not_of(" \t") == std::string_view::npos) break;
      end = nl == std::string_view::npos ? rest.size() : nl;
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    if (end > 0) paragraph_to_html(out, rest.substr(0, end));
    std::size_t next = rest.find('\n', end);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace forumgate::forum
