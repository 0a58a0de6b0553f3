#include "mime/filename.hpp"

#include <algorithm>
#include <cstdint>

#include "mime/header.hpp"

namespace forumgate::mime {

namespace {

constexpr std::size_t max_bytes = 120;
constexpr std::size_t max_extension = 16;  // longer "extensions" are part of the name

// The next code point of s at i (advancing i); invalid bytes are U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
  if (extra < 0 || b >= 0xF5) return 0xFFFD;
  char32_t cp = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0x1680;
}

// Controls (C0, DEL, C1), invisible characters and the bidi controls that
// make "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
bool is_removed(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200B || cp == 0x200C || cp == 0x200D ||
         cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) ||
         cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 || cp == 0xFFFD;
}

// Characters Windows forbids in names; '/' and '\\' never get here.
bool is_forbidden(char32_t cp) {
  return cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '|' || cp == '?' || cp == '*';
}

// The last path component, as mail clients save it: senders write
// "C:\Users\ann\report.pdf" and "../../etc/passwd".
std::string_view last_component(std::string_view raw) {
  std::size_t slash = raw.find_last_of("/\\");
  return slash == std::string_view::npos ? raw : raw.substr(slash + 1);
}

std::string clean(std::string_view raw) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < raw.size();) {
    char32_t cp = next_code_point(raw, i);
    if (is_space(cp)) {
      space = true;
      continue;
    }
    if (is_removed(cp)) continue;
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    append_utf8(out, is_forbidden(cp) ? U'_' : cp);
  }
  return out;
}

std::string_view strip_dots_and_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == '.' || s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension.
bool is_device_name(std::string_view name) {
  std::string base = to_lower(name.substr(0, name.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  if (base == "con" || base == "prn" || base == "aux" || base == "nul") return true;
  return base.size() == 4 && (base.starts_with("com") || base.starts_with("lpt")) && base[3] >= '1' && base[3] <= '9';
}

// At most max bytes of s, not cutting a UTF-8 character.
std::string_view cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return s.substr(0, max);
}

std::string extension_for(std::string_view content_type) {
  std::string type = to_lower(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  static constexpr std::pair<std::string_view, std::string_view> known[] = {
      {"text/plain", ".txt"},
      {"text/html", ".html"},
      {"text/calendar", ".ics"},
      {"text/csv", ".csv"},
      {"text/vcard", ".vcf"},
      {"image/jpeg", ".jpg"},
      {"image/png", ".png"},
      {"image/gif", ".gif"},
      {"image/webp", ".webp"},
      {"application/pdf", ".pdf"},
      {"application/zip", ".zip"},
      {"message/rfc822", ".eml"},
      {"application/json", ".json"},
      {"audio/mpeg", ".mp3"},
      {"video/mp4", ".mp4"},
      {"application/msword", ".doc"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
      {"application/pgp-signature", ".asc"}};
  for (auto [t, ext] : known)
    if (type == t) return std::string(ext);
  return ".bin";
}

}  // namespace

std::string FileNames::add(std::string_view raw, std::string_view content_type) {
  std::string name(strip_dots_and_spaces(clean(last_component(raw))));
  if (name.empty()) name = "part-" + std::to_string(++unnamed_) + extension_for(content_type);
  if (is_device_name(name)) name = "_" + name;

  std::size_t dot = name.rfind('.');
  bool has_extension = dot != std::string::npos && dot > 0 && name.size() - dot <= max_extension;
  std::string stem = has_extension ? name.substr(0, dot) : name;
  std::string extension = has_extension ? name.substr(dot) : "";

  // Unique within the message, also where case does not count. The
  // numbers tried for a name are not tried again: 10,000 parts of one name
  // take 10,000 steps, not 50 million.
  unsigned& n = next_number_[to_lower(name)];
  for (n = std::max(n, 1u);; ++n) {
    std::string suffix = n == 1 ? "" : "-" + std::to_string(n);
    std::string_view kept = cut(stem, max_bytes - extension.size() - suffix.size());
    while (!kept.empty() && (kept.back() == ' ' || kept.back() == '.')) kept.remove_suffix(1);
    std::string candidate = std::string(kept) + suffix + extension;
    if (used_.insert(to_lower(candidate)).second) {
      ++n;
      return candidate;
    }
  }
}

}  // namespace forumgate::mime
