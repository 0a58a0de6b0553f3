#include "mime/charset.hpp"

#include <iconv.h>
#include <uchardet/uchardet.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>

#include "mime/header.hpp"
#include "util/text.hpp"

namespace forumgate::mime {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

struct Alias {
  std::string_view label;
  std::string_view name;
};

// WHATWG Encoding labels (https://encoding.spec.whatwg.org/#names-and-labels)
// for the charsets mail really declares. ISO-8859-N and cpNNNN spellings are
// normalised in canonical_charset before this table is consulted.
constexpr std::array aliases = {
    Alias{"utf8", "utf-8"},
    Alias{"unicode-1-1-utf-8", "utf-8"},
    Alias{"x-unicode20utf8", "utf-8"},
    Alias{"unicode20utf8", "utf-8"},
    Alias{"us-ascii", "windows-1252"},
    Alias{"ascii", "windows-1252"},
    Alias{"ansi_x3.4-1968", "windows-1252"},
    Alias{"iso-8859-1", "windows-1252"},
    Alias{"latin1", "windows-1252"},
    Alias{"l1", "windows-1252"},
    Alias{"iso-ir-100", "windows-1252"},
    Alias{"csisolatin1", "windows-1252"},
    Alias{"ibm819", "windows-1252"},
    Alias{"cp819", "windows-1252"},
    Alias{"x-cp1252", "windows-1252"},
    Alias{"iso-8859-9", "windows-1254"},  // WHATWG: latin5 is decoded as windows-1254
    Alias{"latin5", "windows-1254"},
    Alias{"iso-8859-11", "windows-874"},
    Alias{"tis-620", "windows-874"},
    Alias{"latin2", "iso-8859-2"},
    Alias{"ks_c_5601-1987", "cp949"},  // what Outlook wrote for Korean
    Alias{"ks_c_5601-1989", "cp949"},
    Alias{"ksc5601", "cp949"},
    Alias{"ksc_5601", "cp949"},
    Alias{"euc-kr", "cp949"},
    Alias{"korean", "cp949"},
    Alias{"windows-949", "cp949"},
    Alias{"gb2312", "gbk"},
    Alias{"gb_2312", "gbk"},
    Alias{"gb_2312-80", "gbk"},
    Alias{"csgb2312", "gbk"},
    Alias{"chinese", "gbk"},
    Alias{"x-gbk", "gbk"},
    Alias{"cp936", "gbk"},
    Alias{"windows-936", "gbk"},
    Alias{"big5-hkscs", "big5"},
    Alias{"cn-big5", "big5"},
    Alias{"x-x-big5", "big5"},
    Alias{"csbig5", "big5"},
    Alias{"shift_jis", "cp932"},
    Alias{"shift-jis", "cp932"},
    Alias{"x-sjis", "cp932"},
    Alias{"sjis", "cp932"},
    Alias{"ms_kanji", "cp932"},
    Alias{"csshiftjis", "cp932"},
    Alias{"windows-31j", "cp932"},
    Alias{"ms932", "cp932"},
    Alias{"x-euc-jp", "euc-jp"},
    Alias{"csiso2022jp", "iso-2022-jp"},
    Alias{"koi8r", "koi8-r"},
    Alias{"koi8", "koi8-r"},
    Alias{"cskoi8r", "koi8-r"},
    Alias{"koi8-ru", "koi8-u"},
    Alias{"unicode-1-1-utf-7", "utf-7"},
    Alias{"csunicode11utf7", "utf-7"},
    Alias{"utf7", "utf-7"},
};

// The iconv name where glibc's converter of that name is not the superset
// browsers decode with.
std::string_view iconv_name(std::string_view canonical) {
  if (canonical == "gbk") return "GB18030";
  if (canonical == "big5") return "BIG5-HKSCS";
  return canonical;
}

bool starts_with_digits(std::string_view s) { return !s.empty() && s[0] >= '0' && s[0] <= '9'; }

// "iso8859-2", "iso_8859-2:1987", "ISO88592" -> "iso-8859-2"; "cp1250",
// "x-cp1250", "windows1250" -> "windows-1250".
std::string normalise_family(std::string label) {
  for (std::string_view prefix : {"iso-8859-", "iso_8859-", "iso8859-", "iso8859_", "iso8859"}) {
    if (label.starts_with(prefix) && starts_with_digits(std::string_view(label).substr(prefix.size()))) {
      std::string rest = label.substr(prefix.size());
      rest = rest.substr(0, rest.find(':'));
      return "iso-8859-" + rest;
    }
  }
  for (std::string_view prefix : {"cp125", "x-cp125", "windows125", "windows-125"}) {
    if (label.starts_with(prefix) && label.size() == prefix.size() + 1 &&
        starts_with_digits(std::string_view(label).substr(prefix.size())))
      return "windows-125" + label.substr(prefix.size());
  }
  return label;
}

// A label iconv may safely be asked about: no "//TRANSLIT" suffixes, no paths.
bool plausible_label(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// Stateless 8-bit charsets in which 7-bit bytes are ASCII: pure ASCII input
// is then copied as it is, without iconv.
bool ascii_compatible(std::string_view canonical) {
  return !(canonical.starts_with("utf-7") || canonical.starts_with("utf-16") || canonical.starts_with("utf-32") ||
           canonical.starts_with("ucs") || canonical.starts_with("iso-2022") || canonical.starts_with("hz"));
}

// windows-1252 is what most 8-bit mail is (every "iso-8859-1" label): a
// table is faster than iconv, and glibc's CP1252 rejects the five bytes
// WHATWG maps to C1 controls (0x81 0x8D 0x8F 0x90 0x9D).
constexpr std::array<char16_t, 32> windows1252_high = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                       0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string from_windows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  for (char ch : bytes) {
    auto b = static_cast<unsigned char>(ch);
    if (b == 0) continue;
    if (b >= 0x80 && b < 0xA0) util::append_utf8(out, windows1252_high[b - 0x80]);
    else util::append_utf8(out, b);
  }
  return out;
}

// One iconv descriptor per charset and thread, opened on first use: opening
// one costs far more than converting a header.
class Converters {
 public:
  Converters() = default;
  Converters(const Converters&) = delete;
  Converters& operator=(const Converters&) = delete;
  ~Converters() { close_all(); }

  // nullptr when iconv does not know the charset.
  iconv_t* get(std::string_view canonical) {
    auto it = open_.find(std::string(canonical));
    if (it == open_.end()) {
      if (open_.size() >= 128) close_all();  // bounded, whatever labels arrive
      iconv_t cd = iconv_open("UTF-8", std::string(iconv_name(canonical)).c_str());
      it = open_.emplace(std::string(canonical), cd).first;
    }
    return it->second == failed() ? nullptr : &it->second;
  }

 private:
  static iconv_t failed() { return reinterpret_cast<iconv_t>(-1); }
  void close_all() {
    for (auto& entry : open_)
      if (entry.second != failed()) iconv_close(entry.second);
    open_.clear();
  }
  std::unordered_map<std::string, iconv_t> open_;
};

thread_local Converters converters;

bool known(std::string_view canonical) {
  return canonical == "utf-8" || canonical == "windows-1252" ||
         (plausible_label(canonical) && converters.get(canonical) != nullptr);
}

// Invalid bytes become U+FFFD and conversion goes on after them.
std::string with_iconv(iconv_t cd, std::string_view bytes, bool& replaced) {
  std::string out(bytes.size() * 2 + 16, '\0');
  size_t used = 0;
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
  size_t in_left = bytes.size();
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial shift state
  auto put = [&](std::string_view s) {
    if (out.size() - used < s.size()) out.resize(out.size() * 2 + s.size());
    std::memcpy(out.data() + used, s.data(), s.size());
    used += s.size();
  };
  bool flushing = false;
  for (;;) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    size_t r = flushing ? iconv(cd, nullptr, nullptr, &dst, &dst_left) : iconv(cd, &in, &in_left, &dst, &dst_left);
    used = out.size() - dst_left;
    if (r != static_cast<size_t>(-1)) {
      if (flushing) break;
      flushing = true;  // write out what a stateful converter still holds
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (flushing) {
      break;
    } else if (errno == EILSEQ) {
      put(replacement);
      replaced = true;
      ++in;
      --in_left;
    } else {  // EINVAL: the input ends inside a character
      put(replacement);
      replaced = true;
      in_left = 0;
      flushing = true;
    }
  }
  out.resize(used);
  if (out.find('\0') != std::string::npos) std::erase(out, '\0');
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// The length of the UTF-8 sequence at s[i] when it is valid (ok = true), else
// of its maximal invalid subpart (Unicode 15, 3.9 "U+FFFD substitution"),
// which becomes one U+FFFD.
size_t utf8_sequence(std::string_view s, size_t i, bool& ok) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  unsigned char lead = byte(0);
  ok = true;
  if (lead < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    ok = false;
    return 1;
  }
  for (size_t k = 1; k < len; ++k) {
    unsigned char b = byte(k);
    bool in_range = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!in_range) {
      ok = false;
      return k;
    }
  }
  return len;
}

// Whether label is a name of US-ASCII (which canonical_charset resolves to
// windows-1252, as browsers do).
bool declares_ascii(std::string_view label) {
  std::string name = to_lower(label);
  std::erase_if(name, [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\''; });
  return name == "us-ascii" || name == "ascii" || name == "ansi_x3.4-1968" || name == "us" || name == "iso646-us" ||
         name == "csascii";
}

}  // namespace

std::string canonical_charset(std::string_view label) {
  // Trim blanks and the quotes some mailers leave around a label.
  label = util::trim(label, " \t\"'");
  if (label.empty()) return {};
  std::string name = normalise_family(to_lower(label));
  for (const auto& alias : aliases)
    if (name == alias.label) return std::string(alias.name);
  return name;
}

bool is_valid_utf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    bool ok = false;
    i += utf8_sequence(bytes, i, ok);
    if (!ok) return false;
  }
  return true;
}

std::string detect_charset(std::string_view bytes) {
  bool seven_bit = is_ascii(bytes);
  // 7-bit text is ASCII unless it has escapes, as ISO-2022-JP has.
  if (seven_bit && bytes.find('\x1b') == std::string_view::npos) return "us-ascii";
  if (!seven_bit && is_valid_utf8(bytes)) return "utf-8";
  thread_local struct Detector {
    uchardet_t ud = uchardet_new();
    ~Detector() { uchardet_delete(ud); }
  } detector;
  uchardet_reset(detector.ud);
  std::string guess;
  if (uchardet_handle_data(detector.ud, bytes.data(), bytes.size()) == 0) {
    uchardet_data_end(detector.ud);
    guess = canonical_charset(uchardet_get_charset(detector.ud));
  }
  if (guess.empty() || !known(guess) || (seven_bit && ascii_compatible(guess)))
    return seven_bit ? "us-ascii" : "windows-1252";
  return guess;
}

Converted to_utf8(std::string_view bytes, std::string_view charset) {
  Converted result;
  std::string name = canonical_charset(charset);
  if (name == "windows-1252" && declares_ascii(charset) && !is_ascii(bytes)) {
    // "us-ascii" promises 7-bit text; 8-bit bytes under it are whatever
    // the sender's software really wrote (mostly UTF-8), so detect it.
    result.mislabeled = true;
    name = canonical_charset(detect_charset(bytes));
  } else if (name.empty()) {
    name = canonical_charset(detect_charset(bytes));
  } else if (!known(name)) {
    result.unknown_charset = true;
    name = canonical_charset(detect_charset(bytes));
  }
  result.charset = name;
  if (name == "utf-8") {
    result.text = scrub_utf8(bytes, &result.replaced);
  } else if (name == "windows-1252" || (ascii_compatible(name) && is_ascii(bytes))) {
    result.text = from_windows1252(bytes);
  } else if (iconv_t* cd = converters.get(name)) {
    result.text = with_iconv(*cd, bytes, result.replaced);
    // Software that wrote UTF-8 under an old label ("big5", "shift_jis"):
    // invalid there, valid UTF-8 is what it is (the check costs only then).
    if (result.replaced && is_valid_utf8(bytes)) {
      result.declared = result.charset;
      result.charset = "utf-8";
      result.text = scrub_utf8(bytes);
      result.replaced = false;
      result.read_as_utf8 = true;
    }
  } else {  // unreachable: known() said iconv has it
    result.text = from_windows1252(bytes);
  }
  return result;
}

std::string scrub_utf8(std::string_view s, bool* replaced) {
  // Valid bytes are copied in runs, ASCII checked eight bytes at a time:
  // this is on the path of every UTF-8 text part.
  std::string out;
  out.reserve(s.size());
  size_t run = 0;  // the start of the valid bytes not yet copied
  size_t i = 0;
  auto flush = [&] { out.append(s.data() + run, i - run); };
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
      bool has_nul = ((w - ones) & ~w & highs) != 0;
      if ((w & highs) == 0 && !has_nul) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    bool ok = false;
    size_t n = c == 0 ? 1 : utf8_sequence(s, i, ok);
    if (ok) {
      i += n;
      continue;
    }
    flush();
    if (c != 0) {
      out += replacement;
      if (replaced) *replaced = true;
    }
    i += n;
    run = i;
  }
  flush();
  return out;
}

}  // namespace forumgate::mime
