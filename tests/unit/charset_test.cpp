#include <gtest/gtest.h>
#include <iconv.h>

#include <string>

#include "mime/charset.hpp"

using namespace forumgate::mime;

// Expected UTF-8 is written out in the source (UTF-8) or as bytes; the
// legacy-charset bytes were taken from the charsets' code tables.

TEST(Charset, LabelsAsBrowsersResolveThem) {
  EXPECT_EQ(canonical_charset("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(canonical_charset("latin1"), "windows-1252");
  EXPECT_EQ(canonical_charset("US-ASCII"), "windows-1252");
  EXPECT_EQ(canonical_charset("ascii"), "windows-1252");
  EXPECT_EQ(canonical_charset("ks_c_5601-1987"), "cp949");
  EXPECT_EQ(canonical_charset("EUC-KR"), "cp949");
  EXPECT_EQ(canonical_charset("GB2312"), "gbk");
  EXPECT_EQ(canonical_charset("Shift_JIS"), "cp932");
  EXPECT_EQ(canonical_charset("x-sjis"), "cp932");
  EXPECT_EQ(canonical_charset("UTF8"), "utf-8");
  EXPECT_EQ(canonical_charset("utf-8"), "utf-8");
  EXPECT_EQ(canonical_charset("unicode-1-1-utf-7"), "utf-7");
  EXPECT_EQ(canonical_charset("ISO-8859-9"), "windows-1254");
  EXPECT_EQ(canonical_charset("tis-620"), "windows-874");
}

TEST(Charset, SpellingsOfTheSameFamily) {
  EXPECT_EQ(canonical_charset("iso8859-2"), "iso-8859-2");
  EXPECT_EQ(canonical_charset("ISO_8859-15:1998"), "iso-8859-15");
  EXPECT_EQ(canonical_charset("iso88597"), "iso-8859-7");
  EXPECT_EQ(canonical_charset("cp1250"), "windows-1250");
  EXPECT_EQ(canonical_charset("x-cp1251"), "windows-1251");
  EXPECT_EQ(canonical_charset(" \"UTF-8\" "), "utf-8");
  EXPECT_EQ(canonical_charset(""), "");
  EXPECT_EQ(canonical_charset("X-Unknown"), "x-unknown");
}

TEST(Charset, ValidUtf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1
}

TEST(Charset, ScrubReplacesEachMaximalSubpartOnce) {
  bool replaced = false;
  EXPECT_EQ(scrub_utf8("a\xFF"
                       "b",
                       &replaced),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_TRUE(replaced);
  // E2 82 is the start of a valid sequence cut short: one U+FFFD.
  EXPECT_EQ(scrub_utf8("\xE2\x82"
                       "A"),
            "\xEF\xBF\xBD"
            "A");
  // F0 80: 80 cannot follow F0, so each byte is its own subpart.
  EXPECT_EQ(scrub_utf8("\xF0\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  replaced = false;
  EXPECT_EQ(scrub_utf8("caf\xC3\xA9", &replaced), "café");
  EXPECT_FALSE(replaced);
}

TEST(Charset, ScrubRemovesNul) {
  bool replaced = false;
  EXPECT_EQ(scrub_utf8(std::string("a\0b\0", 4), &replaced), "ab");
  EXPECT_FALSE(replaced);
}

TEST(Charset, Latin1LabelIsWindows1252) {
  auto c = to_utf8("caf\xE9", "ISO-8859-1");
  EXPECT_EQ(c.text, "café");
  EXPECT_EQ(c.charset, "windows-1252");
  EXPECT_FALSE(c.replaced);
  EXPECT_FALSE(c.unknown_charset);
  EXPECT_EQ(to_utf8("\x80 \x93quoted\x94", "iso-8859-1").text, "€ “quoted”");
  // WHATWG maps the five bytes windows-1252 leaves undefined to C1 controls.
  EXPECT_EQ(to_utf8("\x81", "windows-1252").text, "\xC2\x81");
  EXPECT_EQ(to_utf8("\xFF", "latin1").text, "ÿ");
}

TEST(Charset, Windows1252TableAgreesWithIconv) {
  iconv_t cd = iconv_open("UTF-8", "CP1252");
  ASSERT_NE(cd, reinterpret_cast<iconv_t>(-1));
  for (int b = 0x80; b <= 0xFF; ++b) {
    if (b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D) continue;
    char in[1] = {static_cast<char>(b)};
    char out[8] = {};
    char* ip = in;
    char* op = out;
    size_t il = 1, ol = sizeof out;
    ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1)) << b;
    EXPECT_EQ(to_utf8(std::string(1, in[0]), "windows-1252").text, std::string(out, sizeof out - ol)) << "byte " << b;
  }
  iconv_close(cd);
}

TEST(Charset, Utf8InvalidBytesAreReplacedNotDropped) {
  auto c = to_utf8("caf\xE9!", "utf-8");
  EXPECT_EQ(c.text, "caf\xEF\xBF\xBD!");
  EXPECT_TRUE(c.replaced);
  EXPECT_EQ(c.charset, "utf-8");
}

TEST(Charset, EastAsianLabelsUseTheSupersets) {
  EXPECT_EQ(to_utf8("\xC7\xD1\xB1\xB9\xBE\xEE", "ks_c_5601-1987").text, "한국어");
  // 0x8C63 exists only in cp949 (Unified Hangul Code), not in EUC-KR.
  EXPECT_EQ(to_utf8("\x8C\x63", "euc-kr").text, "똠");
  EXPECT_EQ(to_utf8("\xD6\xD0\xCE\xC4", "gb2312").text, "中文");
  // 0x86B4 is in GBK only.
  EXPECT_EQ(to_utf8("\x86\xB4", "gb2312").text, "喆");
  EXPECT_EQ(to_utf8("\x93\xFA\x96\x7B\x8C\xEA", "shift_jis").text, "日本語");
  // 0x8740 (circled one) is a Microsoft/NEC extension of Shift_JIS.
  EXPECT_EQ(to_utf8("\x87\x40", "Shift_JIS").text, "①");
  EXPECT_EQ(to_utf8("\x1B$BF|K\\8l\x1B(B", "iso-2022-jp").text, "日本語");
}

TEST(Charset, Utf7FromRfc2152) {
  EXPECT_EQ(to_utf8("Hi Mom -+Jjo--!", "UTF-7").text, "Hi Mom -☺-!");
  EXPECT_EQ(to_utf8("+ZeVnLIqe-", "unicode-1-1-utf-7").text, "日本語");
}

TEST(Charset, InvalidSequencesInMultibyteCharsets) {
  auto c = to_utf8(
      "\x93\xFA\xFF"
      "a",
      "shift_jis");
  EXPECT_EQ(c.text,
            "日\xEF\xBF\xBD"
            "a");
  EXPECT_TRUE(c.replaced);
  // Input ending inside a character.
  c = to_utf8("a\x93", "shift_jis");
  EXPECT_EQ(c.text, "a\xEF\xBF\xBD");
  EXPECT_TRUE(c.replaced);
  // The converter is reused: its state must not leak into the next call.
  EXPECT_EQ(to_utf8("\x93\xFA", "shift_jis").text, "日");
}

TEST(Charset, NulFromIconvIsRemoved) { EXPECT_EQ(to_utf8(std::string("a\0\0\0b\0", 6), "utf-16le").text, "ab"); }

TEST(Charset, UnknownLabelFallsBackToDetection) {
  auto c = to_utf8("caf\xC3\xA9", "x-no-such-charset");
  EXPECT_EQ(c.text, "café");
  EXPECT_TRUE(c.unknown_charset);
  EXPECT_EQ(c.charset, "utf-8");
  // iconv's own suffixes are not passed through.
  c = to_utf8("abc", "utf-8//TRANSLIT");
  EXPECT_EQ(c.text, "abc");
  EXPECT_TRUE(c.unknown_charset);
}

TEST(Charset, UndeclaredText) {
  EXPECT_EQ(detect_charset("plain ascii"), "us-ascii");
  EXPECT_EQ(detect_charset("Gr\xC3\xBC\xC3\x9F"
                           "e"),
            "utf-8");
  EXPECT_EQ(detect_charset("\x1B$BF|K\\8l\x1B(B"), "iso-2022-jp");
  auto c = to_utf8(
      "Gr\xC3\xBC\xC3\x9F"
      "e",
      "");
  EXPECT_EQ(c.text, "Grüße");
  EXPECT_FALSE(c.unknown_charset);
}

TEST(Charset, UndeclaredCyrillicIsDetected) {
  // "Привет, как дела? Это проверка определения кодировки текста." in KOI8-R.
  std::string utf8 = "Привет, как дела? Это проверка определения кодировки текста.";
  iconv_t cd = iconv_open("KOI8-R", "UTF-8");
  std::string koi(utf8.size(), '\0');
  char* ip = utf8.data();
  char* op = koi.data();
  size_t il = utf8.size(), ol = koi.size();
  ASSERT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<size_t>(-1));
  iconv_close(cd);
  koi.resize(koi.size() - ol);
  EXPECT_EQ(detect_charset(koi), "koi8-r");
  EXPECT_EQ(to_utf8(koi, "").text, utf8);
}

// enmime's low-quality/incorrect-charset.raw: UTF-8 text labelled
// us-ascii. The label promises 7-bit text; 8-bit text under it is detected.
TEST(Charset, EightBitTextLabelledAsciiIsDetected) {
  Converted c = to_utf8(
      "\xE2\x88\xAE E\xE2\x8B\x85"
      "da",
      "us-ascii");  // U+222E, U+22C5
  EXPECT_EQ(c.text,
            "\xE2\x88\xAE E\xE2\x8B\x85"
            "da");
  EXPECT_EQ(c.charset, "utf-8");
  EXPECT_TRUE(c.mislabeled);
  EXPECT_FALSE(c.unknown_charset);
  Converted ascii = to_utf8("plain", "US-ASCII");
  EXPECT_EQ(ascii.text, "plain");
  EXPECT_FALSE(ascii.mislabeled);
  // iso-8859-1 is windows-1252 whatever the bytes: no detection there.
  Converted latin = to_utf8("\xC3\xA9", "iso-8859-1");
  EXPECT_EQ(latin.text, "\xC3\x83\xC2\xA9");
  EXPECT_FALSE(latin.mislabeled);
}

// scrub_utf8 copies valid runs eight bytes at a time: NULs and invalid
// bytes inside and at the edges of those blocks.
TEST(Charset, ScrubInsideAndAcrossEightByteBlocks) {
  bool replaced = false;
  EXPECT_EQ(scrub_utf8(std::string("abcdefgh\0ijklmno\xFFpqrstuvw", 25), &replaced),
            "abcdefghijklmno\xEF\xBF\xBDpqrstuvw");
  EXPECT_TRUE(replaced);
  EXPECT_EQ(scrub_utf8("1234567\xC3\xA9"
                       "89abcdef\xE2\x82"),
            "1234567\xC3\xA9"
            "89abcdef\xEF\xBF\xBD");
  replaced = false;
  EXPECT_EQ(scrub_utf8("0123456789abcdef", &replaced), "0123456789abcdef");
  EXPECT_FALSE(replaced);
}

// UTF-8 sent under a legacy label: 從 is E5 BE 9E in UTF-8, and 0x9E cannot
// lead a Big5 pair (Big5 leads are 0xA1-0xF9), so the bytes are invalid
// Big5 and valid UTF-8.
TEST(Charset, InvalidInTheLabelButValidUtf8IsReadAsUtf8) {
  Converted c = to_utf8("\xE5\xBE\x9E\xE6\x88\x91\xE7\x9A\x84 iPhone", "big5");
  EXPECT_EQ(c.text, "從我的 iPhone");
  EXPECT_TRUE(c.read_as_utf8);
  EXPECT_EQ(c.declared, "big5");
  EXPECT_EQ(c.charset, "utf-8");
  EXPECT_FALSE(c.replaced);
  // Real Big5 stays Big5: A7 41 is 你 (python3: bytes.fromhex("a741").decode("big5")).
  c = to_utf8("\xA7\x41", "big5");
  EXPECT_FALSE(c.read_as_utf8);
  EXPECT_EQ(c.text, "你");
  // Invalid in both: replaced, as before.
  c = to_utf8("\x9E\xFF", "big5");
  EXPECT_FALSE(c.read_as_utf8);
  EXPECT_TRUE(c.replaced);
}
