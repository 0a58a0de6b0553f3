#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

#include "mime/params.hpp"
#include "scaling.hpp"

using forumgate::mime::HeaderValue;
using forumgate::mime::parse_header_value;

namespace {
std::string param(const HeaderValue& v, std::string_view name) {
  const std::string* p = v.param(name);
  return p ? *p : "<missing>";
}
}  // namespace

TEST(Params, Rfc2045Basics) {
  auto v = parse_header_value("TEXT/HTML; CHARSET=UTF-8");
  EXPECT_EQ(v.value, "text/html");
  ASSERT_EQ(v.params.size(), 1u);
  EXPECT_EQ(v.params[0].first, "charset");
  EXPECT_EQ(v.params[0].second, "UTF-8");  // values keep their case
  EXPECT_EQ(param(v, "Charset"), "UTF-8");
  // RFC 2045 5.1: the comment is not part of the value.
  EXPECT_EQ(param(parse_header_value("text/plain; charset=us-ascii (Plain text)"), "charset"), "us-ascii");
  EXPECT_EQ(param(parse_header_value("text/plain; charset=\"us-ascii\""), "charset"), "us-ascii");
}

TEST(Params, Rfc2183Example) {
  auto v = parse_header_value(
      "attachment; filename=genome.jpeg;\r\n"
      "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\";");
  EXPECT_EQ(v.value, "attachment");
  EXPECT_EQ(param(v, "filename"), "genome.jpeg");
  EXPECT_EQ(param(v, "modification-date"), "Wed, 12 Feb 1997 16:29:51 -0500");
  EXPECT_EQ(v.params.size(), 2u);
}

TEST(Params, Rfc2231Section3Continuations) {
  auto v = parse_header_value(
      "message/external-body; access-type=URL;\r\n"
      "         URL*0=\"ftp://\";\r\n"
      "         URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
  EXPECT_EQ(v.value, "message/external-body");
  EXPECT_EQ(param(v, "access-type"), "URL");
  EXPECT_EQ(param(v, "url"), "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
  EXPECT_EQ(v.params.size(), 2u);
}

TEST(Params, Rfc2231Section4CharsetAndLanguage) {
  auto v = parse_header_value(
      "application/x-stuff;\r\n"
      "         title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  EXPECT_EQ(param(v, "title"), "This is ***fun***");
}

TEST(Params, Rfc2231Section41Combined) {
  // With the semicolons of the erratum, and as printed in the RFC, without.
  for (const char* raw : {"application/x-stuff;\r\n"
                          "   title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
                          "   title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
                          "   title*2=\"isn't it!\"",
                          "application/x-stuff\r\n"
                          "   title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
                          "   title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
                          "   title*2=\"isn't it!\""}) {
    auto v = parse_header_value(raw);
    EXPECT_EQ(v.value, "application/x-stuff") << raw;
    EXPECT_EQ(param(v, "title"), "This is even more ***fun*** isn't it!") << raw;
    EXPECT_EQ(v.params.size(), 1u);
  }
}

TEST(Params, Rfc2231InTheWild) {
  EXPECT_EQ(param(parse_header_value("attachment; filename*=UTF-8''%E2%82%AC%20rates.txt"), "filename"), "€ rates.txt");
  EXPECT_EQ(param(parse_header_value("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt"), "filename"), "Grüße.txt");
  // A character split between two segments.
  EXPECT_EQ(param(parse_header_value("attachment; filename*0*=UTF-8''%E2%82; filename*1*=%AC.txt"), "filename"),
            "€.txt");
  // The RFC 2231 value wins over the plain one sent for old readers, in
  // either order.
  auto v = parse_header_value("attachment; filename=\"euro.txt\"; filename*=UTF-8''%E2%82%AC.txt");
  EXPECT_EQ(param(v, "filename"), "€.txt");
  EXPECT_EQ(v.params.size(), 1u);
  EXPECT_EQ(param(parse_header_value("attachment; filename*=UTF-8''%E2%82%AC.txt; filename=euro.txt"), "filename"),
            "€.txt");
  EXPECT_EQ(param(parse_header_value("attachment; name*=UTF-8''100%ZZ"), "name"), "100%ZZ");
  EXPECT_EQ(param(parse_header_value("attachment; name*=''abc"), "name"), "abc");
  EXPECT_EQ(param(parse_header_value("attachment; name*=%41%42"), "name"), "AB");
  EXPECT_EQ(param(parse_header_value("attachment; name*=\"UTF-8''a%20b\""), "name"), "a b");
}

TEST(Params, ContinuationsOutOfOrderOrMissing) {
  EXPECT_EQ(param(parse_header_value("a/b; name*1=\"b\"; name*0=\"a\""), "name"), "ab");
  EXPECT_EQ(param(parse_header_value("a/b; name*0=\"rep\"; name*2=\".pdf\""), "name"), "rep.pdf");
  EXPECT_EQ(param(parse_header_value("a/b; name*0=\"a\"; name*0=\"x\"; name*1=\"b\""), "name"), "ab");
  // Segment 0 lost: no charset, the bytes are detected (here UTF-8).
  EXPECT_EQ(param(parse_header_value("a/b; name*1*=%C3%A9; name*2=\".txt\""), "name"), "é.txt");
  // Not a continuation: junk after the star.
  EXPECT_EQ(param(parse_header_value("a/b; name*x=1; name*99999=2"), "name"), "<missing>");
}

TEST(Params, Rfc2047WordsInValues) {
  EXPECT_EQ(param(parse_header_value("application/octet-stream; name=\"=?UTF-8?B?4oKsLnR4dA==?=\""), "name"), "€.txt");
  EXPECT_EQ(param(parse_header_value("application/octet-stream; name==?UTF-8?Q?caf=C3=A9.txt?="), "name"), "café.txt");
  EXPECT_EQ(param(parse_header_value("attachment; filename=\"Gr\xC3\xBC\xC3\x9F"
                                     "e.txt\""),
                  "filename"),
            "Grüße.txt");
}

// RFC 2047 5: no encoded word in any parameter. Only the file names, where
// mailers put them anyway, are decoded; a boundary decoded would be another
// boundary, never found.
TEST(Params, Rfc2047WordsOnlyInFileNames) {
  auto ct = parse_header_value("multipart/mixed; boundary=\"=?utf-8?q?abc?=\"; charset==?us-ascii?q?x?=");
  EXPECT_EQ(param(ct, "boundary"), "=?utf-8?q?abc?=");
  EXPECT_EQ(param(ct, "charset"), "=?us-ascii?q?x?=");
  EXPECT_EQ(param(parse_header_value("multipart/mixed; boundary*0=\"=?utf-8?\"; boundary*1=\"q?x?=\""), "boundary"),
            "=?utf-8?q?x?=");
  EXPECT_EQ(param(parse_header_value("multipart/mixed; boundary=\"\xE9t\xE9\""), "boundary"), "\xE9t\xE9");
  EXPECT_EQ(param(parse_header_value("text/plain; format=\"=?utf-8?q?flowed?=\""), "format"), "=?utf-8?q?flowed?=");
  EXPECT_EQ(param(parse_header_value("attachment; filename=\"=?utf-8?q?caf=C3=A9.txt?=\""), "filename"), "café.txt");
  // RFC 2231 applies to every parameter.
  EXPECT_EQ(param(parse_header_value("multipart/mixed; boundary*=us-ascii''a%20b"), "boundary"), "a b");
}

TEST(Params, QuotedStrings) {
  EXPECT_EQ(param(parse_header_value("a/b; filename=\"a \\\"quoted\\\" name.txt\""), "filename"),
            "a \"quoted\" name.txt");
  EXPECT_EQ(param(parse_header_value("a/b; filename=\"back\\\\slash\""), "filename"), "back\\slash");
  // A Windows path as Outlook writes it.
  EXPECT_EQ(param(parse_header_value("a/b; filename=\"C:\\Temp\\a.txt\""), "filename"), "C:\\Temp\\a.txt");
  auto v = parse_header_value("a/b; filename=\"a;b.txt\"; size=3");
  EXPECT_EQ(param(v, "filename"), "a;b.txt");
  EXPECT_EQ(param(v, "size"), "3");
  EXPECT_EQ(param(parse_header_value("a/b; name=\"abc"), "name"), "abc");  // unterminated
  v = parse_header_value("a/b; name=\"a.txt\" junk; x=1");
  EXPECT_EQ(param(v, "name"), "a.txt");
  EXPECT_EQ(param(v, "x"), "1");
}

TEST(Params, CommentsInStructuredFields) {
  auto v = parse_header_value("text/plain (a comment); (c) charset (c) = (c) \"utf-8\" (trailing); x=y");
  EXPECT_EQ(v.value, "text/plain");
  EXPECT_EQ(param(v, "charset"), "utf-8");
  EXPECT_EQ(param(v, "x"), "y");
  EXPECT_EQ(parse_header_value("text / plain").value, "text/plain");
}

TEST(Params, LenientUnquotedValues) {
  EXPECT_EQ(param(parse_header_value("attachment; filename=my file.txt"), "filename"), "my file.txt");
  EXPECT_EQ(param(parse_header_value("attachment; filename=foo (1).txt"), "filename"), "foo (1).txt");
  auto v = parse_header_value("text/plain charset=utf-8");  // no ';'
  EXPECT_EQ(v.value, "text/plain");
  EXPECT_EQ(param(v, "charset"), "utf-8");
}

TEST(Params, DuplicatesFirstWins) {
  auto v = parse_header_value("text/plain; charset=utf-8; charset=iso-8859-1");
  EXPECT_EQ(param(v, "charset"), "utf-8");
  EXPECT_EQ(v.params.size(), 1u);
}

// An unterminated comment that ends in a backslash once took the scanner
// past the end of the value: std::out_of_range, a message refused as an
// internal error (found by rfc2231_fuzz).
TEST(Params, CommentEndingInABackslash) {
  EXPECT_NO_THROW(parse_header_value("text/plain; a(\\"));
  const char found[] = "td(;t(plain; ch\0\0d; delsp\x98in; ch\0\0d; delsp\x98=y=yes..\\";
  EXPECT_NO_THROW(parse_header_value(std::string_view(found, sizeof found - 1)));
  EXPECT_EQ(parse_header_value("text/plain; charset=utf-8 (a\\").value, "text/plain");
  EXPECT_EQ(param(parse_header_value("text/plain; charset=utf-8; x(\\"), "charset"), "utf-8");
}

TEST(Params, EmptyAndJunk) {
  auto v = parse_header_value("");
  EXPECT_EQ(v.value, "");
  EXPECT_TRUE(v.params.empty());
  v = parse_header_value(";;; charset=utf-8;");
  EXPECT_EQ(v.value, "");
  EXPECT_EQ(param(v, "charset"), "utf-8");
  v = parse_header_value("text/plain; =x; novalue; \"; y=2");
  EXPECT_EQ(v.value, "text/plain");
  EXPECT_EQ(param(v, "y"), "2");  // junk is skipped up to the next parameter
  EXPECT_EQ(v.params.size(), 1u);
}

TEST(Params, LargeValuesStayLinear) {
  std::string many = "multipart/mixed";
  while (many.size() < (1u << 20)) many += "; p" + std::to_string(many.size()) + "=v";
  auto start = std::chrono::steady_clock::now();
  auto v = parse_header_value(many);
  std::string parens = "a/b; name=" + std::string(1u << 20, '(') + std::string(1u << 19, ')');
  auto w = parse_header_value(parens);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cout << "[ measured ] 1 MB of parameters and 1.5 MB of parentheses: " << ms.count() << " ms\n";
  EXPECT_GT(v.params.size(), 50000u);
  EXPECT_EQ(param(v, "p15"), "v");
  EXPECT_EQ(w.value, "a/b");
  double growth = forumgate::test::growth(
      [](int n) {
        std::string params = "multipart/mixed";
        for (int i = 0; i < n; ++i) params += "; p" + std::to_string(i) + "=v";
        parse_header_value(params);
        parse_header_value("a/b; name=" + std::string(8 * n, '(') + std::string(4 * n, ')'));
      },
      2500);
  std::cout << "[ measured ] 16 times the input, " << growth << " times the time\n";
  EXPECT_LT(growth, forumgate::test::linear_growth);
}
