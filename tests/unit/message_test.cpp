// The MIME walker: structure, boundaries, limits, line ends, decoding.

#include "mime/message.hpp"

#include <gtest/gtest.h>
#include <mimetic/codec/code.h>
#include <mimetic/codec/qp.h>

#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace forumgate::mime;

namespace {

std::string body_of(const Message& m, const Part& p) { return std::string(m.body(p)); }

bool has_defect(const Message& m, std::string_view words) {
  for (const auto& d : m.defects)
    if (d.find(words) != std::string::npos) return true;
  return false;
}

const std::string two_parts =
    "From: a@example.org\n"
    "Subject: two\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\n"
    "\n"
    "preamble mentions --XX in mid-line\n"
    "--XX\n"
    "Content-Type: text/plain\n"
    "\n"
    "Hello --XX\n"
    "--XXY is not our boundary\n"
    "\n"
    "--XX  \t\n"
    "Content-Type: application/octet-stream; name=\"a.bin\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aGVs\n"
    "bG8=\n"
    "--XX--\n"
    "epilogue\n";

}  // namespace

TEST(MessageTest, HeaderFieldsAreUnfoldedAndTrimmed) {
  Message m = parse_message("Subject: a\n\tfolded\n  line  \nX-Empty:\nTo : b@c\n\nbody\n");
  ASSERT_EQ(m.root.headers.size(), 3u);
  EXPECT_EQ(m.root.headers[0].value, "a\tfolded  line");
  EXPECT_EQ(m.root.headers[1].value, "");
  EXPECT_EQ(m.root.headers[2].name, "To");  // obsolete "Name :" form
  EXPECT_EQ(body_of(m, m.root), "body\n");
  EXPECT_EQ(m.root.type(), "text/plain");
  EXPECT_EQ(m.root.encoding, "7bit");
  EXPECT_TRUE(m.defects.empty());
}

TEST(MessageTest, BoundariesOnlyAtTheStartOfALine) {
  Message m = parse_message(two_parts);
  ASSERT_TRUE(m.root.is_multipart());
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& text = m.root.children[0];
  EXPECT_EQ(text.number, "1.1");
  // The line end before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
  EXPECT_EQ(body_of(m, text), "Hello --XX\n--XXY is not our boundary\n");
  const Part& bin = m.root.children[1];
  EXPECT_EQ(bin.number, "1.2");
  EXPECT_EQ(bin.filename(), "a.bin");
  EXPECT_EQ(decode_body(m, bin), "hello");
  EXPECT_TRUE(m.defects.empty());
  EXPECT_EQ(find_part(m.root, "1.2"), &bin);
  EXPECT_EQ(find_part(m.root, "1.3"), nullptr);
}

TEST(MessageTest, CrlfBecomesLf) {
  std::string crlf;
  for (char c : two_parts) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Message m = parse_message(crlf);
  EXPECT_EQ(m.original_size, crlf.size());
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(body_of(m, m.root.children[0]), "Hello --XX\n--XXY is not our boundary\n");
  EXPECT_EQ(decode_body(m, m.root.children[1]), "hello");
}

TEST(MessageTest, CrOnlyLineEndsAreReadAsLines) {
  Message m = parse_message("Subject: old mac\rFrom: a@b\r\rbody\rline\r");
  ASSERT_EQ(m.root.headers.size(), 2u);
  EXPECT_EQ(m.root.headers[0].value, "old mac");
  EXPECT_EQ(body_of(m, m.root), "body\nline\n");
  EXPECT_TRUE(has_defect(m, "CR only"));
}

TEST(MessageTest, MultipartWithoutBoundaryIsText) {
  Message m = parse_message("Content-Type: multipart/mixed\n\n--\nnot a part\n--\n");
  EXPECT_TRUE(m.root.children.empty());
  EXPECT_EQ(m.root.type(), "text/plain");
  EXPECT_EQ(body_of(m, m.root), "--\nnot a part\n--\n");
  EXPECT_TRUE(has_defect(m, "without a boundary"));
}

TEST(MessageTest, BoundaryNeverFoundIsText) {
  Message m = parse_message("Content-Type: multipart/mixed; boundary=b\n\njust text\n");
  EXPECT_TRUE(m.root.children.empty());
  EXPECT_EQ(m.root.type(), "text/plain");
  EXPECT_TRUE(has_defect(m, "never found"));
}

TEST(MessageTest, MissingEndBoundaryKeepsTheLastPart) {
  Message m = parse_message("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n");
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(body_of(m, m.root.children[0]), "one");
  EXPECT_EQ(body_of(m, m.root.children[1]), "two\n");
  EXPECT_TRUE(has_defect(m, "missing end boundary"));
}

TEST(MessageTest, EncapsulatedMessageIsParsed) {
  Message m = parse_message(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nsee below\n--b\n"
      "Content-Type: message/rfc822\n\nSubject: inner\nContent-Type: text/html\n\n<p>x</p>\n--b--\n");
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& msg = m.root.children[1];
  ASSERT_TRUE(msg.is_message());
  ASSERT_EQ(msg.children.size(), 1u);
  EXPECT_EQ(msg.children[0].number, "1.2.1");
  EXPECT_EQ(*find_field(msg.children[0].headers, "Subject"), "inner");
  EXPECT_EQ(msg.children[0].type(), "text/html");
  EXPECT_EQ(body_of(m, msg.children[0]), "<p>x</p>");
}

TEST(MessageTest, DigestPartsDefaultToMessages) {
  Message m = parse_message("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\n1\n--d--\n");
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(m.root.children[0].type(), "message/rfc822");
  ASSERT_EQ(m.root.children[0].children.size(), 1u);
}

TEST(MessageTest, HeaderWithoutEmptyLineEndsAtTheFirstNonField) {
  Message m = parse_message("Subject: x\nthis is body text\nmore\n");
  ASSERT_EQ(m.root.headers.size(), 1u);
  EXPECT_EQ(body_of(m, m.root), "this is body text\nmore\n");
  EXPECT_TRUE(has_defect(m, "without an empty line"));
}

TEST(MessageTest, FromLineGivesTheEnvelopeSender) {
  Message m = parse_message("From bob@example.org Tue Nov 24 01:55:43 2026\nSubject: x\n\nb\n");
  EXPECT_EQ(m.envelope_sender, "bob@example.org");
  ASSERT_EQ(m.root.headers.size(), 1u);
  EXPECT_TRUE(m.has_header);
}

TEST(MessageTest, GarbageHasNoHeader) {
  Message m =
      parse_message(std::string("\x7f"
                                "ELF\x02\x01\x01\0\0\0 binary",
                                17));
  EXPECT_FALSE(m.has_header);
}

TEST(MessageTest, NulBytesSurvive) {
  std::string data("Subject: n\n\na\0b\n", 16);
  Message m = parse_message(data);
  EXPECT_EQ(body_of(m, m.root), std::string("a\0b\n", 4));
}

TEST(MessageTest, BadBase64IsADefectAndDecodesWhatItCan) {
  Message m = parse_message("Content-Transfer-Encoding: base64\n\naGVs*bG8=\nextra=junk\n");
  std::vector<std::string> defects;
  std::string out = decode_body(m, m.root, &defects);
  EXPECT_EQ(out.substr(0, 5), "hello");
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_NE(defects[0].find("bad base64"), std::string::npos);
}

// enmime's mime-bad-content-transfer-encoding.raw: text labelled base64.
TEST(MessageTest, PlainTextLabelledBase64IsTakenAsItIs) {
  const std::string text = "ploozdect  nispplul swunkglap\nsmoorbrooft pukstrooz.\n\nThanks, Ann\n";
  Message m = parse_message("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + text);
  std::vector<std::string> defects;
  EXPECT_EQ(decode_body(m, m.root, &defects), text);
  ASSERT_EQ(defects.size(), 1u);
  EXPECT_EQ(defects[0], "part 1: declared base64 but plain text; taken as it is");
  // Not for an attachment, nor for base64 with a stray byte, nor for text
  // whose lines have no blanks.
  Message pdf = parse_message("Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n" + text);
  EXPECT_NE(decode_body(pdf, pdf.root), text);
  Message stray = parse_message("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVs*bG8=\n");
  EXPECT_EQ(decode_body(stray, stray.root).substr(0, 5), "hello");
  Message words = parse_message("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nHello!\nBye.\n");
  EXPECT_NE(decode_body(words, words.root), "Hello!\nBye.\n");
}

// A part's body ends without its last line end (it belongs to the
// delimiter): trailing blanks are still padding (RFC 2045 6.7 (3)) and a
// final '=' still a soft break that stands for nothing (6.7 (5)).
TEST(MessageTest, QuotedPrintablePartEndingInBlanksOrSoftBreak) {
  Message m = parse_message(
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Thanks,\nRegards, \t\n--b\nContent-Transfer-Encoding: quoted-printable\n\nsoft=  \n--b--\n");
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(decode_body(m, m.root.children[0]), "Thanks,\nRegards,");
  EXPECT_EQ(decode_body(m, m.root.children[1]), "soft");
}

TEST(MessageTest, QuotedPrintableSoftBreaksAndOctets) {
  Message m = parse_message("Content-Transfer-Encoding: Quoted-Printable\n\nCaf=C3=A9 au l=\nait=3D ok\n");
  EXPECT_EQ(m.root.encoding, "quoted-printable");
  EXPECT_EQ(decode_body(m, m.root), "Caf\xC3\xA9 au lait= ok\n");
}

TEST(MessageTest, UnknownTransferEncodingIsKeptAsIs) {
  Message m = parse_message("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n");
  std::vector<std::string> defects;
  EXPECT_EQ(decode_body(m, m.root, &defects), "begin 644 a\n");
  ASSERT_EQ(defects.size(), 1u);
}

// Pathological structures: bounded, linear, and still a result.

TEST(MessageTest, DeepNestingStopsAtTheLimit) {
  const int depth = 100000;
  std::string data;
  for (int i = 0; i < depth; ++i)
    data += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
  data += "Content-Type: text/plain\n\ndeep\n";
  Message m = parse_message(data);
  size_t parts = 0, deepest = 0;
  for_each_part(m.root, [&](const Part& p) {
    ++parts;
    deepest = std::max(deepest, static_cast<size_t>(std::count(p.number.begin(), p.number.end(), '.')));
  });
  EXPECT_EQ(deepest, Limits{}.max_depth);
  EXPECT_EQ(parts, Limits{}.max_depth + 1);
  EXPECT_TRUE(has_defect(m, "nested too deep"));
}

TEST(MessageTest, ManyFlatPartsStopAtTheLimit) {
  std::string data = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 100000; ++i) data += "--b\n\npart\n";
  data += "--b--\n";
  Message m = parse_message(data);
  EXPECT_EQ(m.root.children.size(), Limits{}.max_parts);
  EXPECT_TRUE(has_defect(m, "too many parts"));
  EXPECT_EQ(body_of(m, m.root.children.back()), "part");
}

TEST(MessageTest, HugeHeaderLineIsOneField) {
  std::string data = "Subject: " + std::string(4 << 20, 'x') + "\nFrom: a@b\n\nbody\n";
  Message m = parse_message(data);
  ASSERT_EQ(m.root.headers.size(), 2u);
  EXPECT_EQ(m.root.headers[0].value.size(), size_t{4 << 20});
  EXPECT_EQ(body_of(m, m.root), "body\n");
}

TEST(MessageTest, EmptyInput) {
  Message m = parse_message("");
  EXPECT_FALSE(m.has_header);
  EXPECT_EQ(m.original_size, 0u);
  EXPECT_TRUE(m.root.children.empty());
}

namespace {
// RFC 4648 base64 of data, in lines of line_length letters.
std::string encode_base64(const std::string& data, size_t line_length, const char* eol) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string letters;
  for (size_t i = 0; i < data.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    letters += alphabet[(v >> 18) & 63];
    letters += alphabet[(v >> 12) & 63];
    letters += i + 1 < data.size() ? alphabet[(v >> 6) & 63] : '=';
    letters += i + 2 < data.size() ? alphabet[v & 63] : '=';
  }
  std::string out;
  for (size_t i = 0; i < letters.size(); i += line_length) out += letters.substr(i, line_length) + eol;
  return out;
}
}  // namespace

TEST(MessageTest, Base64OfEveryLineShapeDecodesToTheSameBytes) {
  std::string data;
  for (int i = 0; i < 100001; ++i) data += static_cast<char>((i * 7919) >> 3);
  // 76 is what encoders write (the fast path); 73 and 4095 straddle groups
  // and the 16 KB buffer; CRLF as in a message read raw.
  for (size_t line : {76u, 73u, 4095u, 1000000u}) {
    for (const char* eol : {"\n", "\r\n"}) {
      Message m = parse_message("Content-Transfer-Encoding: base64\n\n" + encode_base64(data, line, eol));
      std::vector<std::string> defects;
      EXPECT_EQ(decode_body(m, m.root, &defects), data) << "lines of " << line;
      EXPECT_TRUE(defects.empty()) << "lines of " << line;
    }
  }
}

TEST(MessageTest, AMessageThatEndsInItsHeaderIsTruncated) {
  Message m = parse_message("From: a@b\nSubject: cut off here\n");
  EXPECT_TRUE(m.has_header);
  EXPECT_TRUE(has_defect(m, "truncated"));
  Message whole = parse_message("From: a@b\nSubject: whole\n\n");
  EXPECT_FALSE(has_defect(whole, "truncated"));
}

// enmime's low-quality/bad-header-start.raw: a relay indented the first
// field. Nothing precedes it to continue, so it is read as a field.
TEST(MessageTest, LeadingContinuationLineIsReadAsAField) {
  Message m = parse_message(" From: a@example.org\nSubject: x\n\nbody\n");
  ASSERT_EQ(m.root.headers.size(), 2u);
  EXPECT_EQ(m.root.headers[0].name, "From");
  EXPECT_EQ(m.root.headers[0].value, "a@example.org");
  EXPECT_EQ(body_of(m, m.root), "body\n");
  EXPECT_TRUE(has_defect(m, "starts with a continuation line"));
}

// enmime's low-quality/bad-header-wrap.raw: a parameter list broken
// without the folding blank; the parameter still belongs to the field.
TEST(MessageTest, UnfoldedParameterContinuesTheField) {
  Message m = parse_message(
      "Content-Type: application/zip; x-mode=0600;\nname=\"a.zip\"\n"
      "Content-Transfer-Encoding: base64\n\nPGh0bWw+Cg==\n");
  ASSERT_EQ(m.root.headers.size(), 2u);
  EXPECT_EQ(m.root.filename(), "a.zip");
  EXPECT_EQ(m.root.encoding, "base64");
  EXPECT_EQ(decode_body(m, m.root), "<html>\n");
  EXPECT_TRUE(has_defect(m, "continued without folding"));
  // A line that is no parameter still ends the header.
  Message n = parse_message("Content-Type: text/plain;\nHello there\n");
  EXPECT_EQ(body_of(n, n.root), "Hello there\n");
}

// enmime's parts/quoted-printable.raw ends in a soft line break: it stands
// for nothing (RFC 2045 6.7 (5)); mimetic alone wrote its '='.
TEST(MessageTest, QuotedPrintableSoftBreakAtTheEnd) {
  Message m = parse_message("Content-Transfer-Encoding: quoted-printable\n\nStart=3D=41=42=\n=43=3DFinish=\n");
  EXPECT_EQ(decode_body(m, m.root), "Start=ABC=Finish");
  Message blanks = parse_message("Content-Transfer-Encoding: quoted-printable\n\nab=  \r\n");
  EXPECT_EQ(decode_body(blanks, blanks.root), "ab");
  Message hard = parse_message("Content-Transfer-Encoding: quoted-printable\n\nab\n");
  EXPECT_EQ(decode_body(hard, hard.root), "ab\n");
}

TEST(MessageTest, QuotedPrintableBlanksAtLineEndsAreDroppedNotTheBreak) {
  // RFC 2045 6.7 (3): trailing blanks are padding; the hard break stays.
  Message m = parse_message("Content-Transfer-Encoding: quoted-printable\n\nHello   \nWorld\t\nsoft=  \nly\n");
  EXPECT_EQ(decode_body(m, m.root), "Hello\nWorld\nsoftly\n");
}

// decode_body copies runs of plain quoted-printable text past mimetic's
// decoder: the bytes must be those the decoder alone gives, whatever mix
// of '=', hex digits, blanks and line ends surrounds them.
TEST(MessageTest, QuotedPrintableGivesWhatMimeticAloneGives) {
  // Dense with the bytes the decoder must see, in short bodies; and mostly
  // text, in longer ones (where eight plain bytes come in a row).
  static const std::string pools[] = {"=====AFaf09gGzZ.   \t\t\n\n\n\r\x01\x7f\x80\xc3\xa9",
                                      "abcdefghijklmnopqrstuvwxyzABCDEF0123456789 .,  \xc3\xa9=\n"};
  std::mt19937 random(2045);
  int compared = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string& pool = pools[round % 2];
    std::string body;
    size_t size = random() % (round % 2 ? 200 : 30);
    for (size_t i = 0; i < size; ++i) body.push_back(pool[random() % pool.size()]);
    Message m = parse_message("Content-Transfer-Encoding: quoted-printable\n\n" + body);
    std::string_view b = m.body(m.root);
    // Bodies decode_body rewrites before decoding (blanks before a line
    // end, a soft break at the end) are left out.
    if (b.find(" \n") != std::string::npos || b.find("\t\n") != std::string::npos) continue;
    // The last line's end may be missing (a part's body).
    size_t k = b.size();
    if (k > 0 && b[k - 1] == '\n') --k;
    if (k > 0 && (b[k - 1] == ' ' || b[k - 1] == '\t' || b[k - 1] == '=')) continue;
    std::string expected;
    mimetic::QP::Decoder decoder;
    mimetic::decode(b.begin(), b.end(), decoder, std::back_inserter(expected));
    ASSERT_EQ(decode_body(m, m.root), expected) << body;
    ++compared;
  }
  EXPECT_GT(compared, 5000);
}

// RFC 2045 section 3 and RFC 2183: one Content-Disposition (and one
// Content-Type, one Content-Transfer-Encoding) per part. A second one is a
// defect, and the first is what counts, whichever it is.
TEST(MessageTest, DuplicateContentDispositionFirstCountsAndIsADefect) {
  Message m = parse_message(
      "Content-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\nContent-Disposition: inline\n"
      "Content-Disposition: attachment; filename=\"evil.exe\"\n\nhello\n"
      "--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"a.pdf\"\n"
      "content-disposition: inline\n\n%PDF\n"
      "--b--\n");
  ASSERT_EQ(m.root.children.size(), 2u);
  const Part& first = m.root.children[0];
  EXPECT_EQ(first.disposition.value, "inline");
  EXPECT_FALSE(first.is_attachment());
  EXPECT_EQ(first.filename(), "");
  const Part& second = m.root.children[1];
  EXPECT_EQ(second.disposition.value, "attachment");
  EXPECT_TRUE(second.is_attachment());
  EXPECT_EQ(second.filename(), "a.pdf");
  EXPECT_EQ(m.defects,
            (std::vector<std::string>{"part 1.1: Content-Disposition given more than once; the first is used",
                                      "part 1.2: Content-Disposition given more than once; the first is used"}));
}

TEST(MessageTest, DuplicateContentTypeAndEncodingAreDefectsToo) {
  Message m = parse_message(
      "Content-Type: text/plain\nContent-Type: text/html\n"
      "Content-Transfer-Encoding: base64\nContent-Transfer-Encoding: 7bit\n\naGk=\n");
  EXPECT_EQ(m.root.type(), "text/plain");
  EXPECT_EQ(m.root.encoding, "base64");
  EXPECT_EQ(decode_body(m, m.root), "hi");
  EXPECT_EQ(m.defects,
            (std::vector<std::string>{"part 1: Content-Type given more than once; the first is used",
                                      "part 1: Content-Transfer-Encoding given more than once; the first is used"}));
}

TEST(MessageTest, OneOfEachIsNoDefect) {
  Message m = parse_message(
      "Content-Type: text/plain\nContent-Disposition: inline\n"
      "Content-Transfer-Encoding: 8bit\n\nhi\n");
  EXPECT_TRUE(m.defects.empty());
}

TEST(MessageTest, EmptyLinesBeforeTheHeaderAreSkipped) {
  Message m = parse_message("\n\nFrom: a@example.org\nSubject: x\n\nbody\n");
  EXPECT_TRUE(m.has_header);
  ASSERT_EQ(m.defects.size(), 1u);
  EXPECT_EQ(m.defects[0], "2 empty lines before the header skipped");
  ASSERT_NE(find_field(m.root.headers, "Subject"), nullptr);
  EXPECT_EQ(*find_field(m.root.headers, "Subject"), "x");
  // With CRLF, and after an mbox From_ line.
  m = parse_message("\r\nFrom: a@example.org\r\n\r\nbody\r\n");
  EXPECT_TRUE(m.has_header);
  m = parse_message("From a@example.org Tue Dec  1 21:03:00 2026\n\nSubject: x\n\nbody\n");
  EXPECT_EQ(m.envelope_sender, "a@example.org");
  EXPECT_TRUE(m.has_header);
  // No header field after them: no header, as before.
  m = parse_message("\nJust a line of text.\n");
  EXPECT_FALSE(m.has_header);
}
