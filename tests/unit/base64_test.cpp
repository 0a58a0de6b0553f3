// Our base64 decoder against mimetic's, which it replaced: the same bytes
// for the same letters, whatever the line shape, padding or junk.
#include "mime/base64.hpp"

#include <gtest/gtest.h>
#include <mimetic/codec/base64.h>

#include <iterator>
#include <random>
#include <string>

using forumgate::mime::decode_base64;

namespace {

// mimetic's decoder, given only the letters (it must not see other bytes),
// in one call: what mime/message.cpp did before.
std::string mimetic_decode(std::string_view text) {
  std::string letters;
  for (char c : text)
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')
      letters.push_back(c);
  std::string out;
  mimetic::Base64::Decoder decoder;
  decoder.process(letters.begin(), letters.end(), std::back_inserter(out));
  return out;
}

std::string encode(const std::string& data) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < data.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? alphabet[(v >> 6) & 63] : '=';
    out += i + 2 < data.size() ? alphabet[v & 63] : '=';
  }
  return out;
}

std::string decoded(std::string_view text, bool* bad = nullptr) {
  bool b = false;
  std::string out = decode_base64(text, b);
  if (bad) *bad = b;
  return out;
}

}  // namespace

TEST(Base64, DecodesWhatWasEncoded) {
  std::mt19937 random(4);
  for (size_t size = 0; size < 200; ++size) {
    std::string data;
    for (size_t i = 0; i < size; ++i) data.push_back(static_cast<char>(random()));
    std::string text = encode(data);
    bool bad = true;
    EXPECT_EQ(decoded(text, &bad), data) << size;
    EXPECT_FALSE(bad) << size;
  }
}

TEST(Base64, LineShapesAndBlanksDoNotMatter) {
  std::string data(1000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  std::string text = encode(data);
  for (size_t line : {1, 3, 4, 5, 64, 76, 77})
    for (const char* eol : {"\n", "\r\n", " \n", "\t\r\n"}) {
      std::string wrapped;
      for (size_t i = 0; i < text.size(); i += line) wrapped += text.substr(i, line) + eol;
      bool bad = true;
      EXPECT_EQ(decoded(wrapped, &bad), data) << line;
      EXPECT_FALSE(bad) << line;
    }
}

TEST(Base64, MissingPaddingGivesTheSameBytesAsPadding) {
  for (std::string_view text : {"QQ", "QUI", "QUJD", "QUJDRA", "QUJDREU"}) {
    bool bad = true;
    EXPECT_EQ(decoded(text, &bad), mimetic_decode(text)) << text;
    EXPECT_FALSE(bad) << text;
  }
  EXPECT_EQ(decoded("QQ"), "A");
  EXPECT_EQ(decoded("QUI"), "AB");
}

TEST(Base64, ALoneLetterAtTheEndIsDroppedAndBad) {
  bool bad = false;
  EXPECT_EQ(decoded("QUJDR", &bad), "ABC");
  EXPECT_TRUE(bad);
}

TEST(Base64, OtherBytesAreSkippedAndBad) {
  for (std::string_view text : {"aGVs*bG8=", "aGVs\x80xbG8=", "a-GVsbG8=", "aGVsbG8=\x01", "@@@@"}) {
    bool bad = false;
    EXPECT_EQ(decoded(text, &bad), mimetic_decode(text)) << text;
    EXPECT_TRUE(bad) << text;
  }
}

TEST(Base64, LettersAfterThePaddingAreDecodedAndBad) {
  for (std::string_view text : {"aGVsbA==\nbG8=", "aGVsbG8=junk", "QQ==QUJD"}) {
    bool bad = false;
    EXPECT_EQ(decoded(text, &bad), mimetic_decode(text)) << text;
    EXPECT_TRUE(bad) << text;
  }
}

TEST(Base64, AgreesWithMimeticOnRandomText) {
  // Random mixes of letters, padding, line ends and junk, in every length.
  static const std::string pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/==\n\r \t*-\x80\xff";
  std::mt19937 random(45);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t size = random() % 40;
    for (size_t i = 0; i < size; ++i) text.push_back(pool[random() % pool.size()]);
    EXPECT_EQ(decoded(text), mimetic_decode(text)) << text;
  }
}
