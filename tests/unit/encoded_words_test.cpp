#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

#include "mime/encoded_words.hpp"
#include "scaling.hpp"

using forumgate::mime::decode_header_text;

// RFC 2047 section 8, the table of encoded words as displayed.
TEST(EncodedWords, Rfc2047Section8Table) {
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=)"), "(a)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
}

// RFC 2047 section 8, the sample header fields.
TEST(EncodedWords, Rfc2047Section8Fields) {
  EXPECT_EQ(decode_header_text("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"), "Keith Moore <moore@cs.utk.edu>");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            "Keld Jørn Simonsen <keld@dkuug.dk>");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "André Pirard <PIRARD@vm1.ulg.ac.be>");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
                               "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this you understand the example.");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>"),
            "Olle Järnefors <ojarnef@admin.kth.se>");
  // ISO-8859-8 0xE0..0xFA are U+05D0..U+05EA, in visual order as sent.
  EXPECT_EQ(decode_header_text("Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
                               "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"),
            "Nathaniel Borenstein <nsb@thumper.bellcore.com>    (םולש ןב ילטפנ)");
}

TEST(EncodedWords, Rfc2231LanguageSuffix) {
  EXPECT_EQ(decode_header_text("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
  EXPECT_EQ(decode_header_text("=?UTF-8*en?Q?caf=C3=A9?="), "café");
}

TEST(EncodedWords, LowerCaseEncodingsAndHex) {
  EXPECT_EQ(decode_header_text("=?utf-8?q?caf=c3=a9?="), "café");
  EXPECT_EQ(decode_header_text("=?utf-8?b?Y2Fmw6k=?="), "café");
  EXPECT_EQ(decode_header_text("=?utf-8?b?Y2Fmw6k?="), "café");  // padding left out
}

TEST(EncodedWords, WhiteSpaceAroundPlainTextIsKept) {
  EXPECT_EQ(decode_header_text("Re: =?UTF-8?Q?caf=C3=A9?= now"), "Re: café now");
  EXPECT_EQ(decode_header_text("a =?UTF-8?Q?b?="), "a b");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a?=\r\n\t=?UTF-8?Q?b?="), "ab");
  EXPECT_EQ(decode_header_text("Hello\r\n world"), "Hello world");
  EXPECT_EQ(decode_header_text("plain text"), "plain text");
  EXPECT_EQ(decode_header_text(""), "");
}

TEST(EncodedWords, CharacterSplitAcrossWordsSurvives) {
  // U+20AC is E2 82 AC: "4oI=" is E2 82, "rA==" is AC.
  EXPECT_EQ(decode_header_text("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?="), "€");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?=E2=82?=\r\n =?utf-8?Q?=AC?="), "€");
  // In different charsets the halves are converted apart: the cut
  // sequence is replaced.
  EXPECT_EQ(decode_header_text("=?UTF-8?B?4oI=?= =?ISO-8859-1?Q?a?="),
            "\xEF\xBF\xBD"
            "a");
}

TEST(EncodedWords, MalformedWordsAreKept) {
  for (const char* raw : {"=?UTF-8?X?abc?=", "=?UTF-8?B?a*b?=", "=?UTF-8?Q?unterminated",
                          "=??Q?a?=", "=?UTF-8?Q?a b?=", "=?UTF-8?Q", "=?", "?=", "=?UTF-8?B?YQ=x?="})
    EXPECT_EQ(decode_header_text(raw), raw) << raw;
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a?= =?bad =?UTF-8?Q?b?="), "a =?bad b");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?100=?="), "100=");
}

TEST(EncodedWords, WordsTouchingOtherText) {
  EXPECT_EQ(decode_header_text("foo=?UTF-8?Q?bar?=baz"), "foobarbaz");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a?==?UTF-8?Q?b?="), "ab");
  EXPECT_EQ(decode_header_text("Re:=?UTF-8?Q?caf=C3=A9?="), "Re:café");
}

TEST(EncodedWords, UnknownCharsetIsDetected) { EXPECT_EQ(decode_header_text("=?x-unknown?Q?caf=C3=A9?="), "café"); }

TEST(EncodedWords, DecodedLineBreaksAndNul) {
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=0D=0Ab?="), "a b");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=0Ab?="), "a b");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=00b?="), "ab");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?"
                               "?="),
            "");  // empty word
}

TEST(EncodedWords, RawEightBitHeaders) {
  EXPECT_EQ(decode_header_text("Gr\xC3\xBC\xC3\x9F"
                               "e"),
            "Grüße");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a?= Gr\xC3\xBC\xC3\x9F"
                               "e"),
            "a Grüße");
  EXPECT_EQ(decode_header_text("Caf\xE9 cr\xE8me br\xFBl\xE9"
                               "e et cr\xEApes \xE0 volont\xE9"),
            "Café crème brûlée et crêpes à volonté");
}

TEST(EncodedWords, OneMegabyteFoldedSubjectIsLinear) {
  const std::string word = "=?UTF-8?Q?caf=C3=A9_?=";  // "café "
  std::string raw, expected;
  while (raw.size() < (1u << 20)) {
    raw += word + "\r\n ";
    expected += "café ";
  }
  auto start = std::chrono::steady_clock::now();
  std::string decoded = decode_header_text(raw);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cout << "[ measured ] 1 MB folded encoded subject: " << ms.count() << " ms\n";
  // The fold after the last word is plain white space, which is kept.
  EXPECT_TRUE(decoded == expected + " ") << decoded.size() << " bytes, not " << expected.size() + 1;

  // Words alternating between charsets: one conversion per word.
  raw.clear();
  expected.clear();
  while (raw.size() < (1u << 20)) {
    raw += "=?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?= ";
    expected += "aé";
  }
  start = std::chrono::steady_clock::now();
  decoded = decode_header_text(raw);
  ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cout << "[ measured ] 1 MB of alternating charsets: " << ms.count() << " ms\n";
  EXPECT_TRUE(decoded == expected + " ") << decoded.size() << " bytes, not " << expected.size() + 1;
  double growth = forumgate::test::growth(
      [&](int n) {
        std::string words;
        for (int i = 0; i < n; ++i) words += word + "\r\n =?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?= ";
        decode_header_text(words);
      },
      1000);
  std::cout << "[ measured ] 16 times the input, " << growth << " times the time\n";
  EXPECT_LT(growth, forumgate::test::linear_growth);
}

TEST(EncodedWords, OneMegabyteOfAlmostWordsIsLinear) {
  std::string raw;
  // Each candidate reads as far as "bc==?" and then fails: no "?=" follows.
  while (raw.size() < (1u << 20)) raw += "=?a?Q?bc=";
  auto start = std::chrono::steady_clock::now();
  std::string decoded = decode_header_text(raw);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cout << "[ measured ] 1 MB of unterminated words: " << ms.count() << " ms\n";
  EXPECT_TRUE(decoded == raw) << decoded.size() << " bytes, not " << raw.size();
  double growth = forumgate::test::growth(
      [](int n) {
        std::string almost;
        for (int i = 0; i < n; ++i) almost += "=?a?Q?bc=";
        decode_header_text(almost);
      },
      4000);
  std::cout << "[ measured ] 16 times the input, " << growth << " times the time\n";
  EXPECT_LT(growth, forumgate::test::linear_growth);
}
