#include "mime/reply_markers.hpp"

#include <algorithm>
#include <array>

namespace forumgate::mime::markers {

namespace {

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII letters in any case, other bytes as they are: enough for the
// tables, which spell non-ASCII words as the clients write them.
bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fold(x) == fold(y); });
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && same(s.substr(0, prefix.size()), prefix);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && same(s.substr(s.size() - suffix.size()), suffix);
}

bool contains(std::string_view s, std::string_view word) {
  if (word.size() > s.size()) return false;
  for (std::size_t i = 0; i + word.size() <= s.size(); ++i)
    if (same(s.substr(i, word.size()), word)) return true;
  return false;
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the blank or invisible character at the start of s, 0 if
// none: ASCII blanks, U+00A0, U+200E/F and U+202A-E and U+2066-9
// (bidirectional marks), U+3000, U+FEFF.
std::size_t invisible_at_start(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s[0]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '*') return 1;
  if (s.size() >= 2 && c == 0xC2 && static_cast<unsigned char>(s[1]) == 0xA0) return 2;
  if (s.size() < 3) return 0;
  unsigned char c1 = static_cast<unsigned char>(s[1]), c2 = static_cast<unsigned char>(s[2]);
  if (c == 0xE2 && c1 == 0x80 && (c2 == 0x8E || c2 == 0x8F || (c2 >= 0xAA && c2 <= 0xAE))) return 3;
  if (c == 0xE2 && c1 == 0x81 && c2 >= 0xA6 && c2 <= 0xA9) return 3;
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;
  if (c == 0xEF && c1 == 0xBB && c2 == 0xBF) return 3;
  return 0;
}

std::size_t invisible_at_end(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(s.back());
  if (c == ' ' || c == '\t' || c == '\r' || c == '*') return 1;
  if (s.size() >= 2 && invisible_at_start(s.substr(s.size() - 2)) == 2) return 2;
  if (s.size() >= 3 && invisible_at_start(s.substr(s.size() - 3)) == 3) return 3;
  return 0;
}

// Blanks only (no '*'): around the words of an attribution.
std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty()) {
    if (s.back() == ' ' || s.back() == '\t') s.remove_suffix(1);
    else if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") s.remove_suffix(2);
    else break;
  }
  return s;
}

// Removes a final ':' or '：' (U+FF1A); false when there is none.
bool remove_colon(std::string_view& s) {
  if (!s.empty() && s.back() == ':') {
    s.remove_suffix(1);
    return true;
  }
  if (s.size() >= 3 && s.substr(s.size() - 3) == "\xEF\xBC\x9A") {
    s.remove_suffix(3);
    return true;
  }
  return false;
}

// "--- words ---": the words, or nullopt when s is not dashed so.
std::optional<std::string_view> between_dashes(std::string_view s) {
  if (s.size() < 6 || s.substr(0, 2) != "--" || s.substr(s.size() - 2) != "--") return std::nullopt;
  while (!s.empty() && (s.front() == '-' || s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '-' || s.back() == ' ')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  return s;
}

bool has_time(std::string_view s) {  // "21:03", "9.03"
  for (std::size_t i = 1; i + 2 < s.size(); ++i)
    if ((s[i] == ':' || s[i] == '.') && is_digit(s[i - 1]) && is_digit(s[i + 1]) && is_digit(s[i + 2])) return true;
  return false;
}

bool ends_with_word(std::string_view s, std::string_view word) {
  if (!ends_with(s, word)) return false;
  // "rewrote:" is no "wrote:": an ASCII word starts after a non-letter.
  std::size_t before = s.size() - word.size();
  return before == 0 || !is_ascii_letter(word.front()) || !is_ascii_letter(s[before - 1]);
}

bool starts_with_lead(std::string_view s) {
  // Most lines start with no lead's first byte: one look at a table.
  static const auto first_bytes = [] {
    std::array<bool, 256> t{};
    for (std::string_view lead : patterns::attribution_leads) {
      auto c = static_cast<unsigned char>(lead.front());
      t[c] = true;
      if (c >= 'A' && c <= 'Z') t[c + 32] = true;
    }
    return t;
  }();
  if (s.empty() || !first_bytes[static_cast<unsigned char>(s.front())]) return false;
  return std::any_of(
      patterns::attribution_leads.begin(), patterns::attribution_leads.end(),
      [&](std::string_view lead) { return fold(lead.front()) == fold(s.front()) && starts_with(s, lead); });
}

}  // namespace

std::string_view strip(std::string_view line) {
  auto plain = [](char c) { return c > ' ' && c < 0x7F && c != '*'; };
  if (!line.empty() && plain(line.front()) && plain(line.back())) return line;  // most lines
  while (std::size_t n = invisible_at_start(line)) line.remove_prefix(n);
  while (std::size_t n = invisible_at_end(line)) line.remove_suffix(n);
  return line;
}

bool is_quoted(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] == '>';
}

bool is_blank(std::string_view line) { return strip(line).empty(); }

Attribution attribution(std::string_view text) {
  if (text.size() > max_marker_length) return Attribution::none;
  std::string_view s = strip(text);
  bool dashed = false;  // "---- On <date> <name> wrote ----" (Zoho)
  if (auto inner = between_dashes(s)) {
    s = *inner;
    dashed = true;
    remove_colon(s);
  } else if (!remove_colon(s)) {
    return Attribution::none;
  }
  s = trim_blanks(s);
  if (s.empty()) return Attribution::none;
  bool digit = std::any_of(s.begin(), s.end(), is_digit);
  bool address = s.find('@') != std::string_view::npos;
  bool lead = starts_with_lead(s);
  bool time = has_time(s);
  // A date alone is a story's ("On 3 May 1945, he wrote:"); clients
  // write a time or an address too.
  bool dated = digit && (address || time);
  auto strength = [&] { return dated ? Attribution::certain : Attribution::if_quote_follows; };
  for (std::string_view end : patterns::attribution_ends)
    if (ends_with_word(s, end)) return strength();
  for (std::string_view verb : patterns::attribution_verbs)
    if (contains(s, verb)) return dated || lead ? strength() : Attribution::none;
  if (!dashed && address && time) return Attribution::if_quote_follows;
  return Attribution::none;
}

bool may_start_attribution(std::string_view line) {
  std::string_view s = strip(line);
  if (s.empty() || s.size() > max_marker_length || s.back() == '.' || s.front() == '>' || s.front() == '-')
    return false;
  // Clients wrap after the date: the first line has its digits.
  if (is_digit(s.front())) return true;
  return starts_with_lead(s) && std::any_of(s.begin(), s.end(), is_digit);
}

std::optional<patterns::HeaderRole> header_line(std::string_view line) {
  std::string_view s = strip(line);
  std::size_t colon = std::string_view::npos;
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    if (s[i] == ':' || s.substr(i, 3) == "\xEF\xBC\x9A") {
      colon = i;
      break;
    }
  }
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view name = s.substr(0, colon);
  while (!name.empty() && (name.back() == '*' || name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.size() >= 2 && name.substr(name.size() - 2) == "\xC2\xA0") name.remove_suffix(2);  // "De :" in French
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  for (const patterns::HeaderName& h : patterns::header_names)
    if (same(name, h.name)) return h.role;
  return std::nullopt;
}

bool is_original_message(std::string_view line) {
  auto inner = between_dashes(strip(line));
  if (!inner) return false;
  return std::any_of(patterns::original_message.begin(), patterns::original_message.end(),
                     [&](std::string_view w) { return same(*inner, w); });
}

bool is_forward_marker(std::string_view line) {
  std::string_view s = strip(line);
  if (s.size() > max_marker_length) return false;
  if (auto inner = between_dashes(s))
    return std::any_of(patterns::forwarded_message.begin(), patterns::forwarded_message.end(),
                       [&](std::string_view w) { return starts_with(*inner, w); });
  if (!remove_colon(s)) return false;
  s = trim_blanks(s);
  return std::any_of(patterns::forward_intro.begin(), patterns::forward_intro.end(),
                     [&](std::string_view w) { return same(s, w); });
}

bool is_rule(std::string_view line) {
  std::string_view s = strip(line);
  return s.size() >= 10 &&
         (s.find_first_not_of('_') == std::string_view::npos || s.find_first_not_of('-') == std::string_view::npos);
}

bool is_signature_separator(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line == "-- " || line == "--";
}

bool is_signature_line(std::string_view line) {
  std::string_view s = strip(line);
  if (s.size() > max_marker_length) return false;
  // "Sent from Outlook Mobile<https://aka.ms/...>": the link is no part of
  // the words.
  if (!s.empty() && s.back() == '>')
    if (std::size_t link = s.rfind("<http"); link != std::string_view::npos) s = trim_blanks(s.substr(0, link));
  while (!s.empty() && (s.back() == '.' || s.back() == '!')) s.remove_suffix(1);
  if (s.empty() || s.size() > 80) return false;
  for (const patterns::SignatureLine& p : patterns::signature_lines)
    if (s.size() > p.prefix.size() + p.suffix.size() && starts_with(s, p.prefix) && ends_with(s, p.suffix)) return true;
  return false;
}

bool is_forward_subject(std::string_view subject) {
  subject = trim_blanks(subject);
  return std::any_of(patterns::forward_subject.begin(), patterns::forward_subject.end(),
                     [&](std::string_view p) { return starts_with(subject, p); });
}

}  // namespace forumgate::mime::markers
