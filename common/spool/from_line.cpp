#include "spool/from_line.hpp"

#include "util/text.hpp"

#include <array>
#include <vector>

namespace forumgate::spool {
namespace {

constexpr std::array<std::string_view, 7> weekdays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

template <size_t N>
bool one_of(std::string_view token, const std::array<std::string_view, N>& names) {
  if (token.size() > 3 && token.back() == ',') token.remove_suffix(1);
  for (auto n : names)
    if (token == n) return true;
  return false;
}

bool is_day(std::string_view t) {
  if (!all_digits(t) || t.size() > 2) return false;
  int day = t.size() == 1 ? t[0] - '0' : (t[0] - '0') * 10 + (t[1] - '0');
  return day >= 1 && day <= 31;
}

bool is_year(std::string_view t) { return all_digits(t) && (t.size() == 4 || t.size() == 2); }

// h:mm, hh:mm, h:mm:ss or hh:mm:ss
bool is_time(std::string_view t) {
  size_t colon = t.find(':');
  if (colon != 1 && colon != 2) return false;
  if (!all_digits(t.substr(0, colon))) return false;
  std::string_view rest = t.substr(colon + 1);
  if (rest.size() == 2) return all_digits(rest);
  return rest.size() == 5 && all_digits(rest.substr(0, 2)) && rest[2] == ':' && all_digits(rest.substr(3));
}

bool all_upper(std::string_view s) {
  for (char c : s)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

// "+0100", "-0500"; "PST", "GMT", "UTC", "MET DST" (two tokens), six-letter
// zones ("WETDST", "MEWT"...); a name with an offset ("GMT+1", "UTC-0500").
bool is_zone(std::string_view t) {
  if (t.size() == 5 && (t[0] == '+' || t[0] == '-') && all_digits(t.substr(1))) return true;
  size_t sign = t.find_first_of("+-");
  if (sign != std::string_view::npos) {
    std::string_view offset = t.substr(sign + 1);
    return sign >= 1 && sign <= 6 && all_upper(t.substr(0, sign)) && offset.size() >= 1 && offset.size() <= 4 &&
           all_digits(offset);
  }
  return t.size() >= 2 && t.size() <= 6 && all_upper(t);
}

// After the date: nothing but zones, then UUCP's "remote from HOST".
bool is_date_end(const std::vector<std::string_view>& t, size_t k) {
  for (; k < t.size(); ++k) {
    if (is_zone(t[k])) continue;
    return k + 3 == t.size() && t[k] == "remote" && t[k + 1] == "from";
  }
  return true;
}

// Whether the tokens from `at` on are a date, in one of the two orders, with
// optional zones; nothing but zones (and "remote from HOST") may follow.
bool is_date(const std::vector<std::string_view>& t, size_t at) {
  if (at + 4 > t.size() || !one_of(t[at], weekdays)) return false;
  // asctime: Www Mmm dd hh:mm[:ss] [zone...] yyyy [zone...]
  if (one_of(t[at + 1], months) && is_day(t[at + 2]) && is_time(t[at + 3])) {
    size_t k = at + 4;
    while (k < t.size() && !is_year(t[k]) && is_zone(t[k])) ++k;
    return k < t.size() && is_year(t[k]) && is_date_end(t, k + 1);
  }
  // RFC 5322: Www, dd Mmm yyyy hh:mm[:ss] [zone]
  if (at + 5 <= t.size() && is_day(t[at + 1]) && one_of(t[at + 2], months) && is_year(t[at + 3]) &&
      is_time(t[at + 4])) {
    return is_date_end(t, at + 5);
  }
  return false;
}

}  // namespace

std::optional<std::string_view> from_line_sender(std::string_view line) {
  if (line.substr(0, 5) != "From ") return std::nullopt;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::string_view rest = line.substr(5);
  auto t = util::split_blanks(rest);
  // The date is at the end: try each place it could start. The sender is
  // whatever comes before (it may itself contain spaces, when quoted).
  for (size_t at = 0; at < t.size(); ++at) {
    if (!is_date(t, at)) continue;
    if (at == 0) return std::string_view();
    size_t end = static_cast<size_t>(t[at - 1].data() + t[at - 1].size() - rest.data());
    return rest.substr(rest.find_first_not_of(" \t"), end - rest.find_first_not_of(" \t"));
  }
  return std::nullopt;
}

bool is_from_line(std::string_view line) { return from_line_sender(line).has_value(); }

}  // namespace forumgate::spool
