#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "mime/encoded_words.hpp"
#include "mime/writer.hpp"

using namespace forumgate::mime;

namespace {

// Each line of a field, checked against RFC 5322's limits; the field's
// value once unfolded and decoded.
std::string check_and_decode(const std::string& field) {
  EXPECT_EQ(field.back(), '\n');
  EXPECT_EQ(field.find('\r'), std::string::npos);
  EXPECT_EQ(field.find('\0'), std::string::npos);
  std::istringstream in(field);
  std::string line, unfolded;
  bool first = true;
  while (std::getline(in, line)) {
    EXPECT_LE(line.size(), 998u) << line.substr(0, 80);
    if (!first) {
      EXPECT_TRUE(line[0] == ' ' || line[0] == '\t') << "a continuation line starts a field: " << line;
    }
    for (unsigned char c : line) EXPECT_LT(c, 0x80) << "8-bit byte in " << line;
    unfolded += line;
    first = false;
  }
  std::string value = unfolded.substr(unfolded.find(':') + 1);
  return decode_header_text(value.substr(value.find_first_not_of(' ')));
}

}  // namespace

TEST(Writer, PlainSubjectStaysReadable) {
  EXPECT_EQ(unstructured_field("Subject", "Mounting NFS"), "Subject: Mounting NFS\n");
}

TEST(Writer, NonAsciiGoesAsEncodedWords) {
  std::string f = unstructured_field("Subject", "Problème de montage NFS");
  EXPECT_EQ(f, "Subject: =?utf-8?q?Probl=C3=A8me?= de montage NFS\n");
  EXPECT_EQ(unstructured_field("Subject", "Re: déjà vu à Paris"),
            "Subject: Re: =?utf-8?q?d=C3=A9j=C3=A0?= vu =?utf-8?q?=C3=A0?= Paris\n");
  EXPECT_EQ(check_and_decode(unstructured_field("Subject", "Re: déjà vu à Paris")), "Re: déjà vu à Paris");
  EXPECT_EQ(check_and_decode(f), "Problème de montage NFS");
}

TEST(Writer, LineBreaksAndNulCannotAddAField) {
  const char raw[] = "hi\r\nBcc: victim@example.org\n\nbody\0more";
  std::string hostile(raw, sizeof raw - 1);
  std::string f = unstructured_field("Subject", hostile);
  EXPECT_EQ(f, "Subject: hi Bcc: victim@example.org body more\n");
  std::string a = address_field("From", "Eve\r\nBcc: x@y", "linux@forum.example.org");
  EXPECT_EQ(a, "From: \"Eve Bcc: x@y\" <linux@forum.example.org>\n");
  EXPECT_EQ(address_field("List-Id", "Linux", "linux.forum.example.org"), "List-Id: Linux <linux.forum.example.org>\n");
}

TEST(Writer, TextThatLooksEncodedIsEncoded) {
  std::string f = unstructured_field("Subject", "=?utf-8?q?fake?=");
  EXPECT_NE(f.find("=3D=3Futf"), std::string::npos) << f;
  EXPECT_EQ(check_and_decode(f), "=?utf-8?q?fake?=");
}

TEST(Writer, LongLinesFoldAndFourByteCharactersStayWhole) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "\xF0\x9F\x98\x80 word ";  // U+1F600
  text += std::string(20000, 'x');
  std::string f = unstructured_field("Subject", text);
  std::string back = check_and_decode(f);
  EXPECT_EQ(back, clean_header_text(text));
  std::istringstream in(f);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 78u);
}

TEST(Writer, InvalidUtf8AndControlsAreReplaced) {
  EXPECT_EQ(clean_header_text("a\xFF"
                              "b\x01"
                              "c\x7F"
                              "d"),
            "a\xEF\xBF\xBD"
            "b c d");
  EXPECT_EQ(clean_header_text("  x \t y  "), "x y");
  EXPECT_EQ(clean_header_text("a\xC2\x85"
                              "b"),
            "a b");  // NEL, a C1 control
}

TEST(Writer, DisplayNamesQuotedOrEncoded) {
  EXPECT_EQ(address_field("From", "Bob \"the\" Builder", "linux@f.example"),
            "From: \"Bob \\\"the\\\" Builder\" <linux@f.example>\n");
  std::string f = address_field("From", "Amélie via Linux", "linux@f.example");
  EXPECT_EQ(f, "From: =?utf-8?q?Am=C3=A9lie_via_Linux?= <linux@f.example>\n");
  EXPECT_EQ(address_field("Reply-To", "", "linux@f.example"), "Reply-To: linux@f.example\n");
}

TEST(Writer, ListFieldsFoldBetweenItems) {
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back("<" + std::to_string(i) + ".some.long.id@example.org>");
  std::string f = list_field("References", ids);
  std::istringstream in(f);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    EXPECT_LE(line.size(), 78u);
    ++lines;
  }
  EXPECT_GT(lines, 5);
  EXPECT_EQ(list_field("List-Unsubscribe", {"<mailto:a@b>", "<https://x/>"}, ", "),
            "List-Unsubscribe: <mailto:a@b>, <https://x/>\n");
}

TEST(Writer, QuotedPrintable) {
  EXPECT_EQ(quoted_printable("caf\xC3\xA9 = 1\r\nend "), "caf=C3=A9 =3D 1\nend=20\n");
  EXPECT_EQ(quoted_printable("From here\nx"), "=46rom here\nx\n");
  std::string long_line(200, 'a');
  std::string q = quoted_printable(long_line);
  std::istringstream in(q);
  std::string line, joined;
  while (std::getline(in, line)) {
    EXPECT_LE(line.size(), 76u);
    if (!line.empty() && line.back() == '=') line.pop_back();
    joined += line;
  }
  EXPECT_EQ(joined, long_line);
  EXPECT_EQ(quoted_printable("a\rb"), "a\nb\n");
}

TEST(Writer, Base64Lines) {
  EXPECT_EQ(base64_lines("hello"), "aGVsbG8=\n");
  EXPECT_EQ(base64_lines(std::string(57, 'a')).size(), 77u);
}

TEST(Writer, ParametersPlainOrRfc2231) {
  EXPECT_EQ(mime_parameter("filename", "dmesg.txt"), "; filename=\"dmesg.txt\"");
  EXPECT_EQ(mime_parameter("filename", "r\xC3\xA9sum\xC3\xA9.pdf"), ";\n filename*0*=utf-8''r%C3%A9sum%C3%A9.pdf");
  std::string long_name(300, 'a');
  std::string p = mime_parameter("filename", long_name);
  EXPECT_NE(p.find("filename*4*="), std::string::npos);
}

TEST(Writer, Date) { EXPECT_EQ(rfc5322_date(1795430400), "Mon, 23 Nov 2026 10:40:00 +0000"); }
