#include "mime/encoded_words.hpp"

#include "util/text.hpp"

#include <cstdint>
#include <optional>

#include "mime/charset.hpp"

// RFC 2047. Deviations we accept on purpose, because mailers write them:
// - encoded words touching other text ("foo=?utf-8?q?bar?=", "(=?...?=)",
//   "=?..?==?..?=") are decoded: the syntax "=?cs?B|Q?text?=" with no white
//   space inside is distinctive enough;
// - encoded words longer than 75 characters;
// - any charset, even in 7-bit names RFC 2047 calls unknown (to_utf8 then
//   detects the charset of the bytes).
// One pass over the input; adjacent words are decoded into one byte buffer
// and converted once, so a 1 MB subject of words costs one conversion.

namespace forumgate::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_blank(std::string_view s) {
  for (char c : s)
    if (!is_space(c)) return false;
  return true;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 2047 4.1; padding may be missing. False on other characters.
bool decode_b(std::string_view in, std::string& out) {
  std::uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < in.size() && in[i] != '='; ++i) {
    int v = base64_value(in[i]);
    if (v < 0) return false;
    acc = ((acc << 6) | static_cast<std::uint32_t>(v)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  for (; i < in.size(); ++i)
    if (in[i] != '=') return false;
  return true;
}

// RFC 2047 4.2: "_" is a space, "=XX" a byte; a stray "=" stays as it is.
void decode_q(std::string_view in, std::string& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      out += ' ';
    } else if (in[i] == '=' && i + 2 < in.size() && util::hex_value(in[i + 1]) >= 0 &&
               util::hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(util::hex_value(in[i + 1]) * 16 + util::hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
}

struct EncodedWord {
  size_t end;           // index after the closing "?="
  std::string charset;  // canonical, language suffix removed
  std::string bytes;    // decoded, still in charset
};

// The encoded word starting at s[start] ("=?"), or nullopt when malformed.
std::optional<EncodedWord> parse_word(std::string_view s, size_t start) {
  constexpr size_t max_charset = 64;
  size_t q1 = start + 2;
  while (q1 < s.size() && s[q1] != '?' && !is_space(s[q1]) && q1 - start <= max_charset) ++q1;
  if (q1 + 2 >= s.size() || s[q1] != '?' || s[q1 + 2] != '?') return std::nullopt;
  std::string_view charset = s.substr(start + 2, q1 - start - 2);
  charset = charset.substr(0, charset.find('*'));  // RFC 2231 section 5: charset*lang
  char encoding = s[q1 + 1];
  size_t text = q1 + 3;
  size_t q3 = text;
  while (q3 < s.size() && s[q3] != '?' && !is_space(s[q3])) ++q3;
  if (charset.empty() || q3 + 1 >= s.size() || s[q3] != '?' || s[q3 + 1] != '=') return std::nullopt;
  EncodedWord word{q3 + 2, canonical_charset(charset), {}};
  std::string_view encoded = s.substr(text, q3 - text);
  if (encoding == 'B' || encoding == 'b') {
    if (!decode_b(encoded, word.bytes)) return std::nullopt;
  } else if (encoding == 'Q' || encoding == 'q') {
    decode_q(encoded, word.bytes);
  } else {
    return std::nullopt;
  }
  return word;
}

class Decoder {
 public:
  explicit Decoder(std::string_view raw) : raw_(raw) {}

  std::string run() {
    size_t text_start = 0;  // plain text not yet written starts here
    bool after_word = false;
    for (size_t i = 0; (i = raw_.find("=?", i)) != std::string_view::npos;) {
      auto word = parse_word(raw_, i);
      if (!word) {
        ++i;
        continue;
      }
      std::string_view between = raw_.substr(text_start, i - text_start);
      // RFC 2047 6.2: white space between adjacent encoded words is dropped.
      if (!(after_word && is_blank(between))) {
        flush();
        add_text(between);
      }
      if (after_word && word->charset != pending_charset_) flush();
      pending_charset_ = word->charset;
      pending_ += word->bytes;
      after_word = true;
      text_start = i = word->end;
    }
    flush();
    add_text(raw_.substr(text_start));
    return std::move(out_);
  }

 private:
  // The decoded bytes of the adjacent words read so far, as UTF-8; their line
  // breaks become spaces so that a header stays one line.
  void flush() {
    if (pending_.empty()) return;
    std::string text = to_utf8(pending_, pending_charset_).text;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out_ += (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
    }
    pending_.clear();
  }

  // Plain text: unfolded (RFC 5322 2.2.3: CR and LF removed, the blanks
  // kept); 8-bit bytes are UTF-8 or in the charset detected for the field.
  void add_text(std::string_view text) {
    std::string plain;
    plain.reserve(text.size());
    bool eight_bit = false;
    for (char c : text) {
      if (c == '\r' || c == '\n' || c == '\0') continue;
      eight_bit |= static_cast<unsigned char>(c) >= 0x80;
      plain += c;
    }
    if (!eight_bit || is_valid_utf8(plain)) {
      out_ += plain;
      return;
    }
    if (raw_charset_.empty()) raw_charset_ = detect_charset(raw_);
    out_ += to_utf8(plain, raw_charset_).text;
  }

  std::string_view raw_;
  std::string out_;
  std::string pending_;
  std::string pending_charset_;
  std::string raw_charset_;
};

}  // namespace

std::string decode_header_text(std::string_view raw) { return Decoder(raw).run(); }

}  // namespace forumgate::mime
