#include "mime/base64.hpp"

#include <array>
#include <cstdint>

namespace forumgate::mime {

namespace {

// What each byte is in base64 text: its six bits (0-63), or one of these.
enum : unsigned char { pad = 64, space = 65, bad_byte = 66 };

constexpr std::array<unsigned char, 256> decoding_table() {
  std::array<unsigned char, 256> t{};
  for (auto& c : t) c = bad_byte;
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (unsigned i = 0; i < alphabet.size(); ++i)
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
  t['='] = pad;
  t['\n'] = t['\r'] = t[' '] = t['\t'] = space;
  return t;
}

constexpr auto table = decoding_table();

void put3(char*& out, std::uint32_t bits) {
  out[0] = static_cast<char>(bits >> 16);
  out[1] = static_cast<char>(bits >> 8);
  out[2] = static_cast<char>(bits);
  out += 3;
}

}  // namespace

std::string decode_base64(std::string_view body, bool& bad) {
  std::string out(body.size() / 4 * 3 + 3, '\0');
  char* end = out.data();
  const auto* in = reinterpret_cast<const unsigned char*>(body.data());
  const std::size_t size = body.size();
  std::uint32_t bits = 0;  // the letters of the group begun
  unsigned letters = 0;    // how many, 0-3
  bool padded = false;
  std::size_t i = 0;
  while (i < size) {
    // Whole groups of four letters, as encoders write them between line
    // ends: the common case, taken a group at a time.
    if (letters == 0 && !padded) {
      while (i + 4 <= size) {
        std::uint32_t a = table[in[i]], b = table[in[i + 1]], c = table[in[i + 2]], d = table[in[i + 3]];
        if ((a | b | c | d) >= 64) break;
        put3(end, a << 18 | b << 12 | c << 6 | d);
        i += 4;
      }
      if (i == size) break;
    }
    unsigned char v = table[in[i++]];
    if (v < 64) {
      bad |= padded;
      bits = bits << 6 | v;
      if (++letters == 4) {
        put3(end, bits);
        bits = 0;
        letters = 0;
      }
    } else if (v == pad) {
      padded = true;
    } else if (v == bad_byte) {
      bad = true;
    }
  }
  if (letters == 1) bad = true;  // six bits cannot make a byte
  if (letters == 2) *end++ = static_cast<char>(bits >> 4);
  if (letters == 3) {
    *end++ = static_cast<char>(bits >> 10);
    *end++ = static_cast<char>(bits >> 2);
  }
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

}  // namespace forumgate::mime
