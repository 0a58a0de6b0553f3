#include "mime/params.hpp"

#include "util/text.hpp"

#include <map>
#include <optional>
#include <unordered_map>

#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"
#include "mime/header.hpp"

// RFC 2045 5.1 parameters, RFC 2231 continuations and charsets. Leniencies,
// each because mailers write it:
// - unquoted values run to the next ';' and may contain spaces;
// - a missing ';' before "name=" is tolerated (RFC 2231 4.1's own example
//   leaves them out);
// - in quoted strings a backslash escapes only '"' and '\', so Windows
//   paths survive;
// - RFC 2047 words and raw 8-bit text in the values of name and filename
//   are decoded, as mail readers do; in no other parameter, since RFC 2047
//   5 allows encoded words in none, and a boundary or a charset decoded is
//   a different one (the boundary then never found);
// - continuations are joined in index order with gaps skipped: a name
//   with a segment lost keeps its extension.
// The first of duplicate parameters wins; an RFC 2231 value wins over the
// plain one that mailers send beside it for old readers.

namespace forumgate::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 2045 token characters, and '*' for RFC 2231 names.
bool is_token_char(char c) {
  return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F &&
         std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }
  void advance() { ++pos_; }

  // White space and RFC 822 comments (nested, with quoted pairs); an
  // unterminated comment runs to the end.
  void skip_cfws() {
    while (!done()) {
      if (is_space(peek())) {
        ++pos_;
      } else if (peek() == '(') {
        int depth = 0;
        for (; !done(); ++pos_) {
          char c = peek();
          if (c == '\\') {
            if (pos_ + 1 < s_.size()) ++pos_;  // a quoted pair; a last '\\' quotes nothing
          } else if (c == '(') {
            ++depth;
          } else if (c == ')' && --depth == 0) {
            ++pos_;
            break;
          }
        }
      } else {
        break;
      }
    }
  }

  // Whether a parameter "name=" starts at pos (after blanks), so that a
  // value ends before it although no ';' came.
  bool at_param_start() const {
    size_t i = pos_;
    while (i < s_.size() && is_token_char(s_[i])) ++i;
    if (i == pos_) return false;
    while (i < s_.size() && is_space(s_[i])) ++i;
    return i < s_.size() && s_[i] == '=';
  }

  // Up to ';' or, after blanks, the start of another parameter.
  std::string_view until_separator() {
    size_t start = pos_;
    while (!done() && peek() != ';') {
      if (is_space(peek())) {
        size_t blank = pos_;
        while (!done() && is_space(peek())) ++pos_;
        if (!done() && at_param_start()) return s_.substr(start, blank - start);
        continue;
      }
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

  std::string_view token() {
    size_t start = pos_;
    while (!done() && is_token_char(peek())) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // A quoted string at pos, unescaped; unterminated: to the end.
  std::string quoted_string() {
    std::string out;
    for (++pos_; !done(); ++pos_) {
      char c = peek();
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\\' && pos_ + 1 < s_.size() && (s_[pos_ + 1] == '"' || s_[pos_ + 1] == '\\')) {
        c = s_[++pos_];
      } else if (c == '\r' || c == '\n') {
        continue;  // folding
      }
      out += c;
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Comments at the end of an unquoted value ("us-ascii (Plain text)", RFC
// 2045 5.1) are removed; "foo (1).txt" keeps its parentheses.
std::string_view strip_trailing_comments(std::string_view v) {
  for (v = util::trim(v, " \t\r\n"); !v.empty() && v.back() == ')';) {
    int depth = 0;
    size_t i = v.size();
    while (i-- > 0) {
      if (v[i] == ')') ++depth;
      if (v[i] == '(' && --depth == 0) break;
    }
    if (i == std::string_view::npos || depth != 0 || (i > 0 && !is_space(v[i - 1]))) break;
    v = util::trim(v.substr(0, i), " \t\r\n");
  }
  return v;
}

// The main value: comments and blanks removed ("text / plain (x)").
std::string main_value(std::string_view raw) {
  std::string out;
  Scanner scan(raw);
  while (!scan.done()) {
    scan.skip_cfws();
    if (!scan.done()) {
      out += scan.peek();
      scan.advance();
    }
  }
  return to_lower(out);
}

// The parameters whose plain values mailers fill with RFC 2047 words or
// raw 8-bit text, the file names of attachments.
bool is_name_param(std::string_view name) { return name == "name" || name == "filename"; }

// A plain file name may still hold RFC 2047 words or raw 8-bit text.
std::string decode_plain(std::string_view v) {
  for (char c : v)
    if (static_cast<unsigned char>(c) >= 0x80) return decode_header_text(v);
  return v.find("=?") == std::string_view::npos ? std::string(v) : decode_header_text(v);
}

struct Segment {
  std::string value;
  bool extended;
};

// Everything written for one parameter name.
struct Collected {
  std::string name;
  std::optional<std::string> plain;      // name=
  std::optional<std::string> extended;   // name*=, still charset'lang'%XX
  std::map<unsigned, Segment> segments;  // name*N= and name*N*=

  std::string value() const {
    if (extended) {
      std::string charset;
      std::string bytes = split_charset(*extended, charset);
      return to_utf8(bytes, charset).text;
    }
    if (segments.empty()) return is_name_param(name) ? decode_plain(*plain) : *plain;
    std::string charset, bytes;
    bool any_extended = false;
    for (const auto& [index, segment] : segments) {
      if (segment.extended) {
        // Only the first segment carries charset'language' (RFC 2231 4.1).
        bytes += index == 0 ? split_charset(segment.value, charset) : util::percent_decode(segment.value);
        any_extended = true;
      } else {
        bytes += segment.value;
      }
    }
    if (any_extended) return to_utf8(bytes, charset).text;
    return is_name_param(name) ? decode_plain(bytes) : bytes;
  }

 private:
  // "charset'language'%XX..." as bytes; charset set. Without the two
  // apostrophes the whole value is taken as percent-encoded.
  static std::string split_charset(std::string_view v, std::string& charset) {
    size_t first = v.find('\'');
    size_t second = first == std::string_view::npos ? first : v.find('\'', first + 1);
    if (second == std::string_view::npos) return util::percent_decode(v);
    charset = std::string(v.substr(0, first));
    return util::percent_decode(v.substr(second + 1));
  }
};

// "title*1*" -> base "title", index 1, extended; nullopt for a bad index.
struct ParamName {
  std::string base;
  std::optional<unsigned> index;
  bool extended = false;
};

std::optional<ParamName> split_name(std::string name) {
  ParamName out;
  if (name.ends_with('*')) {
    out.extended = true;
    name.pop_back();
  }
  size_t star = name.rfind('*');
  if (star != std::string::npos) {
    std::string_view digits = std::string_view(name).substr(star + 1);
    bool numeric =
        !digits.empty() && digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string_view::npos;
    if (!numeric) return std::nullopt;
    out.index = static_cast<unsigned>(std::stoul(std::string(digits)));
    name.resize(star);
  }
  if (name.empty()) return std::nullopt;
  out.base = std::move(name);
  return out;
}

}  // namespace

const std::string* HeaderValue::param(std::string_view name) const {
  for (const auto& entry : params)
    if (iequals(entry.first, name)) return &entry.second;
  return nullptr;
}

HeaderValue parse_header_value(std::string_view raw) {
  HeaderValue result;
  Scanner scan(raw);
  result.value = main_value(scan.until_separator());

  std::vector<Collected> collected;  // in the order of first appearance
  std::unordered_map<std::string, size_t> by_name;
  while (!scan.done()) {
    if (scan.peek() == ';') scan.advance();
    scan.skip_cfws();
    std::string name = to_lower(scan.token());
    scan.skip_cfws();
    if (name.empty() || scan.done() || scan.peek() != '=') {
      scan.until_separator();  // junk
      continue;
    }
    scan.advance();
    scan.skip_cfws();
    std::string value;
    if (!scan.done() && scan.peek() == '"') {
      value = scan.quoted_string();
      scan.until_separator();  // what follows the closing quote
    } else {
      value = strip_trailing_comments(scan.until_separator());
    }

    auto parts = split_name(std::move(name));
    if (!parts) continue;
    auto [slot, is_new] = by_name.try_emplace(parts->base, collected.size());
    if (is_new) collected.push_back(Collected{parts->base, {}, {}, {}});
    Collected* entry = &collected[slot->second];
    if (parts->index) entry->segments.try_emplace(*parts->index, Segment{std::move(value), parts->extended});
    else if (parts->extended && !entry->extended) entry->extended = std::move(value);
    else if (!parts->extended && !entry->plain) entry->plain = std::move(value);
  }
  for (const auto& c : collected) result.params.emplace_back(c.name, c.value());
  return result;
}

}  // namespace forumgate::mime
