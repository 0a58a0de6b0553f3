#include "mime/writer.hpp"

#include <cstdio>
#include <ctime>

#include "util/text.hpp"

namespace forumgate::mime {
namespace {

constexpr std::size_t soft_limit = 78;  // RFC 5322 2.1.1: SHOULD
constexpr std::size_t word_limit = 75;  // RFC 2047 2: an encoded word
constexpr const char* word_start = "=?utf-8?q?";
constexpr std::size_t word_frame = 12;  // "=?utf-8?q?" and "?="
const char hex_digits[] = "0123456789ABCDEF";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Whether text must go as encoded words: 8-bit, something a reader would
// take for an encoded word, or a word too long to fold.
bool needs_encoding(std::string_view text, std::size_t first_line) {
  if (text.find("=?") != std::string_view::npos) return true;
  for (unsigned char c : text)
    if (c >= 0x80) return true;
  for (std::string_view w : util::split_blanks(text))
    if (w.size() + first_line > soft_limit) return true;
  return false;
}

// One character's Q encoding (RFC 2047 5(3): only letters and digits
// literal, so the result is valid in a phrase as in unstructured text).
void q_encode(std::string_view ch, std::string& out) {
  if (ch == " ") {
    out += '_';
    return;
  }
  for (unsigned char c : ch) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += hex_digits[c >> 4];
      out += hex_digits[c & 15];
    }
  }
}

// text (clean UTF-8) as encoded words, each at most 75 bytes and holding
// whole characters.
std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = util::utf8_length(text, i);
    if (len == 0) len = 1;  // clean text has none; defensive
    std::string piece;
    q_encode(text.substr(i, len), piece);
    if (!current.empty() && current.size() + piece.size() + word_frame > word_limit) {
      words.push_back(word_start + current + "?=");
      current.clear();
    }
    current += piece;
    i += len;
  }
  if (!current.empty()) words.push_back(word_start + current + "?=");
  return words;
}

// Items joined after "Name:", folded before an item that would pass the
// soft limit. Items are at most 998 - 1 bytes each (callers see to it).
std::string fold(std::string_view name, const std::vector<std::string>& items, std::string_view separator) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string piece = items[i];
    if (i + 1 < items.size()) piece += std::string(separator.substr(0, separator.find_last_not_of(' ') + 1));
    if (line + 1 + piece.size() > soft_limit && line > name.size() + 1) {
      out += "\n";
      line = 0;
    }
    out += ' ';
    out += piece;
    line += 1 + piece.size();
  }
  out += '\n';
  return out;
}

// A phrase as its words when they are atoms (RFC 5322 3.2.3), else quoted.
std::string phrase(std::string_view text) {
  bool atoms = true;
  for (char c : text)
    atoms = atoms && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
                      std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos);
  if (atoms) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string clean_header_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool blank = true;  // drops leading blanks
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F || c == ' ') {
      if (!blank) out += ' ';
      blank = true;
      ++i;
      continue;
    }
    blank = false;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t len = util::utf8_length(text, i)) {
      // C1 controls (U+0080..U+009F) are controls too.
      if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) out += ' ';
      else out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string unstructured_field(std::string_view name, std::string_view raw) {
  const std::string text = clean_header_text(raw);
  // Words that can stay as they are do; runs of the others go as encoded
  // words, the blanks between them inside (a reader drops the blanks
  // between encoded words, RFC 2047 6.2).
  const std::vector<std::string_view> words = util::split_blanks(text);
  std::vector<std::string> items;
  std::string run;
  auto flush_run = [&] {
    if (run.empty()) return;
    for (auto& w : encoded_words(run)) items.push_back(std::move(w));
    run.clear();
  };
  for (std::string_view w : words) {
    if (needs_encoding(w, name.size() + 2)) {
      if (!run.empty()) run += ' ';
      run += w;
    } else {
      flush_run();
      items.emplace_back(w);
    }
  }
  flush_run();
  return fold(name, items, " ");
}

std::string address_field(std::string_view name, std::string_view display, std::string_view address) {
  const std::string text = clean_header_text(display);
  std::vector<std::string> items;
  if (!text.empty()) {
    if (needs_encoding(text, name.size() + 2) || text.size() > 60) items = encoded_words(text);
    else items.push_back(phrase(text));
  }
  items.push_back("<" + std::string(address) + ">");
  if (text.empty()) items.back() = std::string(address);
  return fold(name, items, " ");
}

std::string list_field(std::string_view name, const std::vector<std::string>& items, std::string_view separator) {
  return fold(name, items, separator);
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::string line;  // the output line being made
  auto flush_line = [&](bool hard) {
    out += line;
    out += hard ? "\n" : "=\n";
    line.clear();
  };
  auto put = [&](std::string_view piece) {
    if (line.size() + piece.size() > 75) flush_line(false);  // 75 + "=" = 76
    line += piece;
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    bool end = i == text.size() || text[i] == '\n' || text[i] == '\r';
    if (!end) continue;
    std::string_view src = text.substr(start, i - start);
    for (std::size_t k = 0; k < src.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(src[k]);
      bool last = k + 1 == src.size();
      bool from = k == 0 && src.substr(0, 5) == "From ";
      bool literal = ((c >= 33 && c <= 126 && c != '=') || (is_blank(static_cast<char>(c)) && !last)) && !from;
      if (literal) {
        char ch = static_cast<char>(c);
        put(std::string_view(&ch, 1));
      } else {
        char enc[3] = {'=', hex_digits[c >> 4], hex_digits[c & 15]};
        put(std::string_view(enc, 3));
      }
    }
    if (i == text.size()) {
      if (!line.empty()) flush_line(true);
      break;
    }
    flush_line(true);
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(bytes.size() * 4 / 3 + bytes.size() / 57 + 4);
  std::size_t column = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[v & 63] : '=';
    column += 4;
    if (column == 76) {
      out += '\n';
      column = 0;
    }
  }
  if (column) out += '\n';
  return out;
}

std::string mime_parameter(std::string_view name, std::string_view raw) {
  const std::string value = clean_header_text(raw);
  bool plain = value.size() <= 60;
  for (unsigned char c : value) plain = plain && c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
  if (plain) return "; " + std::string(name) + "=\"" + value + "\"";
  // RFC 2231 3, 4: percent-encoded UTF-8 in numbered sections.
  std::string out, section;
  int n = 0;
  auto close_section = [&] {
    out += ";\n " + std::string(name) + "*" + std::to_string(n) + "*=" + (n == 0 ? "utf-8''" : "") + section;
    section.clear();
    ++n;
  };
  for (std::size_t i = 0; i < value.size();) {
    std::size_t len = util::utf8_length(value, i);
    if (len == 0) len = 1;
    std::string piece;
    for (std::size_t k = i; k < i + len; ++k) {
      unsigned char c = static_cast<unsigned char>(value[k]);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
          c == '_') {
        piece += static_cast<char>(c);
      } else {
        piece += '%';
        piece += hex_digits[c >> 4];
        piece += hex_digits[c & 15];
      }
    }
    if (section.size() + piece.size() > 60) close_section();
    section += piece;
    i += len;
  }
  if (!section.empty() || n == 0) close_section();
  return out;
}

std::string rfc5322_date(std::int64_t epoch) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace forumgate::mime
