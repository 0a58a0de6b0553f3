#include "mime/address.hpp"

#include <array>

#include "mime/encoded_words.hpp"
#include "mime/header.hpp"

// RFC 5322 3.4 addresses, 3.6.4 message identifiers, 3.3 and 4.3 dates.
// Every parser here is one pass and never throws: header fields are
// attacker-controlled and can be megabytes long.

namespace forumgate::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// ---- Address lists --------------------------------------------------------

enum class Kind { word, quoted, comment, angle, separator, space };

struct Token {
  Kind kind;
  std::string text;  // unescaped content (quoted, comment, angle) or the word
  std::string raw;   // as written (quoted: with its quotes)
};

// Splits an address list into tokens. A quote or parenthesis that is never
// closed is taken as an ordinary character (and so is every later one, which
// keeps this linear); a '<' that is never closed is dropped.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    for (size_t i = 0; i < s_.size();) {
      char c = s_[i];
      if (is_space(c) || c == '>') {
        if (tokens_.empty() || tokens_.back().kind != Kind::space) tokens_.push_back({Kind::space, " ", " "});
        ++i;
      } else if (c == ',' || c == ';' || c == ':') {
        tokens_.push_back({Kind::separator, std::string(1, c), std::string(1, c)});
        ++i;
      } else if (c == '"' && !quote_unclosed_ && quoted(i)) {
      } else if (c == '(' && !paren_unclosed_ && comment(i)) {
      } else if (c == '<') {
        angle(i);
      } else {
        word_char(c);
        ++i;
      }
    }
    return std::move(tokens_);
  }

 private:
  void word_char(char c) {
    if (tokens_.empty() || tokens_.back().kind != Kind::word) tokens_.push_back({Kind::word, "", ""});
    tokens_.back().text += c;
    tokens_.back().raw += c;
  }

  bool quoted(size_t& i) {
    std::string text;
    for (size_t j = i + 1; j < s_.size(); ++j) {
      if (s_[j] == '\\' && j + 1 < s_.size()) {
        text += s_[++j];
      } else if (s_[j] == '"') {
        tokens_.push_back({Kind::quoted, std::move(text), std::string(s_.substr(i, j + 1 - i))});
        i = j + 1;
        return true;
      } else if (s_[j] != '\r' && s_[j] != '\n') {
        text += s_[j];
      }
    }
    quote_unclosed_ = true;
    return false;
  }

  bool comment(size_t& i) {
    std::string text;
    int depth = 0;
    for (size_t j = i; j < s_.size(); ++j) {
      char c = s_[j];
      if (c == '\\' && j + 1 < s_.size()) {
        text += s_[++j];
        continue;
      }
      if (c == '(' && depth++ == 0) continue;
      if (c == ')' && --depth == 0) {
        tokens_.push_back({Kind::comment, std::move(text), ""});
        i = j + 1;
        return true;
      }
      text += c;
    }
    paren_unclosed_ = true;
    return false;
  }

  void angle(size_t& i) {
    if (next_gt_ != std::string_view::npos && next_gt_ <= i) next_gt_ = s_.find('>', i);
    if (next_gt_ == std::string_view::npos) {
      ++i;
      return;
    }
    tokens_.push_back({Kind::angle, std::string(s_.substr(i + 1, next_gt_ - i - 1)), ""});
    i = next_gt_ + 1;
  }

  std::string_view s_;
  std::vector<Token> tokens_;
  bool quote_unclosed_ = false;
  bool paren_unclosed_ = false;
  size_t next_gt_ = 0;
};

// The address inside <...>: blanks and comments removed, an obsolete
// source route ("@relay,@relay2:") dropped (RFC 5322 4.4).
std::string angle_address(std::string_view content) {
  std::string out;
  int depth = 0;
  bool in_quotes = false;
  for (char c : content) {
    if (depth == 0 && c == '"') in_quotes = !in_quotes;
    if (!in_quotes && c == '(') ++depth;
    if (depth > 0 || (!in_quotes && is_space(c))) {
      if (c == ')') --depth;
      continue;
    }
    out += c;
  }
  if (out.starts_with('@')) {
    size_t colon = out.find(':');
    out = colon == std::string::npos ? std::string() : out.substr(colon + 1);
  }
  return out;
}

// A display name: words and quoted strings with single blanks between them,
// comments left out, RFC 2047 words decoded (also inside quotes, where
// mailers put them although RFC 2047 5 says not to).
std::string phrase(const std::vector<Token>& tokens, size_t end) {
  std::string out;
  for (size_t i = 0; i < end; ++i) {
    const Token& t = tokens[i];
    if (t.kind == Kind::word || t.kind == Kind::quoted) out += t.text;
    else if (t.kind == Kind::space && !out.empty() && out.back() != ' ') out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return decode_header_text(out);
}

std::string first_comment(const std::vector<Token>& tokens) {
  for (const auto& t : tokens)
    if (t.kind == Kind::comment) {
      std::string name = decode_header_text(t.text);
      size_t a = name.find_first_not_of(' '), b = name.find_last_not_of(' ');
      return a == std::string::npos ? std::string() : name.substr(a, b - a + 1);
    }
  return {};
}

// Words separated by blanks are one addr-spec when an '@' or '.' joins them
// (obsolete "john . doe @ example . org"), else separate runs.
bool joins(const std::string& left, const std::string& right) {
  return left.ends_with('@') || left == "." || right.starts_with('@') || right.starts_with('.');
}

// RFC 5322 3.2.3 atext, and '.' (a dot-atom).
bool is_atext(std::string_view s) {
  for (char c : s) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) == std::string_view::npos) return false;
  }
  return !s.empty();
}

void finish(std::vector<Token>& cur, std::vector<Address>& out) {
  size_t angle = cur.size();
  for (size_t i = 0; i < cur.size(); ++i)
    if (cur[i].kind == Kind::angle) angle = i;
  if (angle < cur.size()) {
    std::string address = angle_address(cur[angle].text);
    std::string name = phrase(cur, angle);
    if (name.empty()) name = first_comment(cur);
    if (!address.empty()) out.push_back({std::move(name), std::move(address)});
    cur.clear();
    return;
  }
  // No <...>: an addr-spec, maybe with a comment, maybe with words around it.
  struct Run {
    std::string text;
    bool plain = true;  // only atoms
  };
  std::vector<Run> runs;
  bool blank = true;
  std::string last;  // the previous word as written
  for (const auto& t : cur) {
    if (t.kind == Kind::space) {
      blank = true;
    } else if (t.kind == Kind::word || t.kind == Kind::quoted) {
      if (runs.empty() || (blank && !joins(last, t.raw))) runs.emplace_back();
      runs.back().text += t.raw;
      runs.back().plain &= t.kind == Kind::word;
      last = t.raw;
      blank = false;
    }
  }
  std::vector<size_t> with_at;
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].text.find('@') != std::string::npos) with_at.push_back(i);
  if (with_at.size() == 1) {
    std::string name;  // lenient: "John Doe john@example.org"
    for (size_t i = 0; i < runs.size(); ++i)
      if (i != with_at[0]) name += (name.empty() ? "" : " ") + runs[i].text;
    name = name.empty() ? first_comment(cur) : decode_header_text(name);
    out.push_back({std::move(name), runs[with_at[0]].text});
  } else if (with_at.size() > 1) {  // missing commas
    for (size_t i : with_at) out.push_back({"", runs[i].text});
  } else if (runs.size() == 1 && runs[0].plain && is_atext(runs[0].text)) {  // "root", "MAILER-DAEMON"
    out.push_back({first_comment(cur), runs[0].text});
  }
  cur.clear();
}

// ---- Dates ------------------------------------------------------------------

constexpr std::array<std::string_view, 12> months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                     "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> weekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

struct NamedZone {
  std::string_view name;
  int hours;
};
// RFC 5322 4.3 (and UTC, which mailers write).
constexpr std::array<NamedZone, 12> zones = {{{"ut", 0},
                                              {"utc", 0},
                                              {"gmt", 0},
                                              {"est", -5},
                                              {"edt", -4},
                                              {"cst", -6},
                                              {"cdt", -5},
                                              {"mst", -7},
                                              {"mdt", -6},
                                              {"pst", -8},
                                              {"pdt", -7},
                                              {"z", 0}}};

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool is_alpha(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return !s.empty();
}

// "nov", "November" -> 1..12; 0 when not a month.
template <size_t N>
int name_index(std::string_view token, const std::array<std::string_view, N>& names) {
  std::string lower = to_lower(token);
  for (size_t i = 0; i < N; ++i)
    if (lower.size() >= 3 && lower.starts_with(names[i])) return static_cast<int>(i) + 1;
  return 0;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t y, int m) {
  constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
std::int64_t days_since_epoch(std::int64_t y, int m, int d) {
  auto leap_years_before = [](std::int64_t year) {
    --year;
    return year / 4 - year / 100 + year / 400;
  };
  std::int64_t days = 365 * (y - 1970) + leap_years_before(y) - leap_years_before(1970);
  for (int i = 1; i < m; ++i) days += days_in_month(y, i);
  return days + d - 1;
}

// "hh:mm" or "hh:mm:ss" -> seconds of the day; -1 when not a time.
int time_of_day(std::string_view t) {
  std::array<int, 3> parts = {0, 0, 0};
  size_t n = 0;
  for (;;) {
    size_t colon = t.find(':');
    std::string_view part = t.substr(0, colon);
    if (n == parts.size() || !all_digits(part) || part.size() > 2) return -1;
    parts[n++] = number(part);
    if (colon == std::string_view::npos) break;
    t.remove_prefix(colon + 1);
  }
  if (n < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 60) return -1;  // 60: leap second
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

// "+0100", "-0500", and "+01:00" as written by a few programs -> seconds.
std::optional<int> numeric_zone(std::string_view t) {
  if (t.size() < 2 || (t[0] != '+' && t[0] != '-')) return std::nullopt;
  std::string digits;
  for (char c : t.substr(1))
    if (c != ':') digits += c;
  if (digits.size() != 4 || !all_digits(digits)) return std::nullopt;
  int hours = number(digits.substr(0, 2)), minutes = number(digits.substr(2));
  if (minutes > 59) return std::nullopt;
  int seconds = hours * 3600 + minutes * 60;
  return t[0] == '-' ? -seconds : seconds;
}

}  // namespace

namespace {

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) return false;
  for (char c : s)  // atext, and UTF-8 (RFC 6532 3.2)
    if (static_cast<unsigned char>(c) < 0x80 && !is_atext(std::string_view(&c, 1))) return false;
  return true;
}

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

bool is_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (is_control(s[i]) && s[i] != '\t') return false;
    if (s[i] == '"') return false;
    if (s[i] == '\\' && ++i + 1 >= s.size()) return false;  // an escape needs its character
    if (is_control(s[i]) && s[i] != '\t') return false;
  }
  return true;
}

bool is_domain_literal(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  for (char c : s.substr(1, s.size() - 2))
    if (is_control(c) || c == ' ' || c == '[' || c == ']' || c == '\\') return false;
  return true;
}

}  // namespace

bool is_addr_spec(std::string_view s) {
  const size_t at = s.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  return (is_dot_atom(local) || is_quoted_string(local)) && (is_dot_atom(domain) || is_domain_literal(domain));
}

bool is_message_id(std::string_view s) {
  if (s.size() < 3 || s.front() != '<' || s.back() != '>') return false;
  for (char c : s.substr(1, s.size() - 2))
    if (is_control(c) || c == ' ' || c == '<' || c == '>') return false;
  return true;
}

std::vector<Address> parse_address_list(std::string_view raw) {
  std::vector<Token> tokens = Lexer(raw).run();
  std::vector<Address> out;
  std::vector<Token> cur;
  bool has_angle = false;
  for (auto& t : tokens) {
    if (t.kind == Kind::separator) {
      if (t.text == ":") {
        cur.clear();  // a group's display name (RFC 5322 3.4): its members follow
      } else {
        finish(cur, out);  // ',' and the ';' that ends a group
      }
      has_angle = false;
      continue;
    }
    // "<a@x> <b@y>", "<a@x> Bob <b@y>": a mailbox ends with its <...>.
    if (has_angle && (t.kind == Kind::angle || t.kind == Kind::word || t.kind == Kind::quoted)) {
      finish(cur, out);
      has_angle = false;
    }
    has_angle |= t.kind == Kind::angle;
    cur.push_back(std::move(t));
  }
  finish(cur, out);
  return out;
}

std::vector<std::string> parse_message_ids(std::string_view raw) {
  std::vector<std::string> ids;
  std::string outside;  // the text outside comments, quotes and <...>
  bool quote_unclosed = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '(') {  // comment: skipped, nested
      int depth = 0;
      for (; i < raw.size(); ++i) {
        if (raw[i] == '\\') ++i;
        else if (raw[i] == '(') ++depth;
        else if (raw[i] == ')' && --depth == 0) break;
      }
    } else if (c == '"' && !quote_unclosed) {  // phrase in quotes: skipped
      size_t j = i + 1;
      while (j < raw.size() && raw[j] != '"') j += raw[j] == '\\' ? 2 : 1;
      if (j >= raw.size()) quote_unclosed = true;
      else i = j;
    } else if (c == '<') {
      std::string id = "<";
      size_t j = i + 1;
      for (; j < raw.size() && raw[j] != '>' && raw[j] != '<'; ++j)
        if (!is_space(raw[j])) id += raw[j];
      if (j < raw.size() && raw[j] == '>' && id.size() > 1) ids.push_back(id + ">");
      i = (j < raw.size() && raw[j] == '<') ? j - 1 : j;
      outside += ' ';
    } else {
      outside += c;
    }
  }
  if (ids.empty()) {
    // Identifiers written without brackets: only when there is no <...> at
    // all, each word with an '@' in it.
    size_t i = 0;
    while (i < outside.size()) {
      while (i < outside.size() && is_space(outside[i])) ++i;
      size_t start = i;
      while (i < outside.size() && !is_space(outside[i])) ++i;
      std::string_view word = std::string_view(outside).substr(start, i - start);
      if (word.find('@') != std::string_view::npos) ids.push_back("<" + std::string(word) + ">");
    }
  }
  return ids;
}

std::optional<std::int64_t> parse_date(std::string_view raw) {
  // Comments out, commas as blanks; then the tokens in any of the orders
  // mailers use: RFC 5322 "Tue, 24 Nov 2026 01:55:43 +0000" and asctime
  // "Tue Nov 24 01:55:43 2026".
  std::string text;
  int depth = 0;
  for (char c : raw) {
    if (c == '(') ++depth;
    if (depth == 0) text += (c == ',' || is_space(c)) ? ' ' : c;
    if (c == ')' && depth > 0) --depth;
  }
  int day = 0, month = 0, seconds_of_day = -1;
  std::int64_t year = -1;
  std::optional<int> zone;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    std::string_view t = std::string_view(text).substr(start, i - start);
    if (t.empty()) break;
    if (t.find(':') != std::string_view::npos && t[0] != '+' && t[0] != '-') {
      if (seconds_of_day >= 0 || (seconds_of_day = time_of_day(t)) < 0) return std::nullopt;
    } else if (auto offset = numeric_zone(t)) {
      if (zone) return std::nullopt;
      zone = offset;
    } else if (all_digits(t)) {
      if (t.size() <= 2 && day == 0) {
        day = number(t);
      } else if (year < 0 && t.size() <= 4) {
        year = number(t);
        if (t.size() <= 2) year += year < 50 ? 2000 : 1900;  // RFC 5322 4.3
        if (t.size() == 3) year += 1900;
      } else {
        return std::nullopt;
      }
    } else if (!is_alpha(t)) {
      return std::nullopt;
    } else if (int m = name_index(t, months); m != 0 && month == 0) {
      month = m;
    } else if (name_index(t, weekdays) != 0 && seconds_of_day < 0) {
      // the day of the week is redundant; RFC 5322 does not make us check it
    } else if (seconds_of_day >= 0 && !zone) {
      // RFC 5322 4.3: named zones; military and unknown ones count as -0000.
      zone = 0;
      std::string lower = to_lower(t);
      for (const auto& z : zones)
        if (lower == z.name) zone = z.hours * 3600;
    } else if (!zone) {
      return std::nullopt;  // a word before the time that is no date word
    }                       // else: words after the zone ("MET DST") are ignored
  }
  if (day == 0 || month == 0 || year < 1900 || year > 9999 || seconds_of_day < 0) return std::nullopt;
  if (day > days_in_month(year, month)) return std::nullopt;
  return days_since_epoch(year, month, day) * 86400 + seconds_of_day - zone.value_or(0);
}

}  // namespace forumgate::mime
