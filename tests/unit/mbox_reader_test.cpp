#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "spool/mbox_reader.hpp"
#include "temp_dir.hpp"
#include "util/error.hpp"

using namespace forumgate;
using namespace forumgate::spool;

namespace {

std::vector<MboxMessage> read_all(const std::string& mbox, MboxFormat format = MboxFormat::automatic,
                                  StatusHeaders status = StatusHeaders::keep) {
  test::TempDir dir;
  std::ofstream(dir / "mbox", std::ios::binary) << mbox;
  int fd = ::open((dir / "mbox").c_str(), O_RDONLY);
  MboxReader reader(fd, "mbox", format, status);
  std::vector<MboxMessage> out;
  MboxMessage m;
  try {
    while (reader.next(m)) out.push_back(m);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return out;
}

const std::string from1 = "From alice@example.org Mon Nov 23 10:00:00 2026\n";
const std::string from2 = "From bob@example.org Mon Nov 23 10:01:00 2026\n";

}  // namespace

TEST(MboxReader, EmptyFileAndLeadingBlankLines) {
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\n\n").empty());
  auto m = read_all("\n\n" + from1 + "Subject: a\n\nbody\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].data, "Subject: a\n\nbody\n");
  EXPECT_EQ(m[0].sender, "alice@example.org");
  EXPECT_EQ(m[0].offset, 2u);
}

TEST(MboxReader, SplitsAtFromLinesNotAtBodyLinesStartingWithFrom) {
  auto m = read_all(from1 + "Subject: a\n\nFrom here on\n\n" + from2 + "Subject: b\n\nb\n\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "Subject: a\n\nFrom here on\n");
  EXPECT_EQ(m[1].data, "Subject: b\n\nb\n");
  EXPECT_EQ(m[1].offset, from1.size() + 26);  // "Subject: a\n" "\n" "From here on\n" "\n"
  EXPECT_EQ(m[0].length, m[1].offset);
}

// RFC 4155: a From_ line starts a message only at the start of the file
// or after an empty line; elsewhere it is a line of the message.
TEST(MboxReader, AFromLineStartsAMessageOnlyAfterAnEmptyLine) {
  auto m = read_all(from1 + "Subject: a\n\nsaid:\n" + from2 + "done\n\n" + from2 + "Subject: b\n\nb\n\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "Subject: a\n\nsaid:\n" + from2 + "done\n");
  EXPECT_EQ(m[1].data, "Subject: b\n\nb\n");
  // In the header too, and in every variant.
  for (auto format : {MboxFormat::automatic, MboxFormat::mboxo, MboxFormat::mboxrd, MboxFormat::mboxcl2}) {
    m = read_all(from1 + "Received: x\n" + from2 + "Subject: a\n\na\n\n" + from2 + "\nb\n", format);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].data, "Received: x\n" + from2 + "Subject: a\n\na\n");
  }
  // A body that starts with a From_ line: the header's empty line is before it.
  m = read_all(from1 + "Subject: a\n\n" + from2 + "Subject: b\n\nb\n");
  ASSERT_EQ(m.size(), 2u);
  // CRLF empty lines count.
  m = read_all(
      "From a@b Mon Nov 23 10:00:00 2026\r\nS: a\r\n\r\nx\r\nFrom a@b Mon Nov 23 10:00:00 2026\r\n\r\n"
      "From a@b Mon Nov 23 10:01:00 2026\r\nS: b\r\n\r\nb\r\n");
  ASSERT_EQ(m.size(), 2u);
}

TEST(MboxReader, UnquotesPerVariant) {
  const std::string box = from1 + "S: a\n\n>From x\n>>From y\n>Fromage\n\n";
  EXPECT_EQ(read_all(box, MboxFormat::mboxo)[0].data, "S: a\n\nFrom x\n>>From y\n>Fromage\n");
  EXPECT_EQ(read_all(box, MboxFormat::mboxrd)[0].data, "S: a\n\nFrom x\n>From y\n>Fromage\n");
  EXPECT_EQ(read_all(box, MboxFormat::mboxcl2)[0].data, "S: a\n\n>From x\n>>From y\n>Fromage\n");
  EXPECT_EQ(read_all(box)[0].data, "S: a\n\nFrom x\n>>From y\n>Fromage\n") << "auto is mboxo";
}

TEST(MboxReader, TrustsContentLengthOnlyWhenAFromLineFollows) {
  // Dovecot's mboxcl2: nothing quoted, a From_ line in the body.
  const std::string body = "From alice@example.org Mon Nov 23 09:00:00 2026\nsaid hi\n";
  const std::string box =
      from1 + "Content-Length: " + std::to_string(body.size()) + "\n\n" + body + "\n" + from2 + "S: b\n\nb\n\n";
  auto m = read_all(box);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "Content-Length: " + std::to_string(body.size()) + "\n\n" + body);
  EXPECT_EQ(m[1].data, "S: b\n\nb\n");
  // A wrong length: the From_ lines decide, and no byte is lost.
  const std::string wrong = from1 + "Content-Length: 3\n\nabcdef\n\n" + from2 + "S: b\n\nb\n\n";
  auto w = read_all(wrong);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].data, "Content-Length: 3\n\nabcdef\n");
  // mboxo ignores Content-Length altogether.
  EXPECT_EQ(read_all(box, MboxFormat::mboxo).size(), 3u);
}

TEST(MboxReader, KeepsCrlfAndAMissingFinalNewline) {
  auto m = read_all("From a@b Mon Nov 23 10:00:00 2026\r\nS: a\r\n\r\nx\r\n\r\n" + from2 + "S: b\n\nno newline");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "S: a\r\n\r\nx\r\n");
  EXPECT_EQ(m[1].data, "S: b\n\nno newline");
}

TEST(MboxReader, KeepsBinaryBytesAndLongLines) {
  std::string binary("S: a\n\n\x00\x01\xff\xfe\n", 11);
  std::string longline(3 << 20, 'x');  // longer than the read buffer
  auto m = read_all(from1 + binary + "\n" + from2 + "S: b\n\n" + longline + "\n\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, binary);
  EXPECT_EQ(m[1].data, "S: b\n\n" + longline + "\n");
}

TEST(MboxReader, NotAnMboxIsDataErrorQuotingTheLine) {
  try {
    read_all("Subject: no From_ line\x01\nbody\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Exit::dataerr);
    EXPECT_NE(std::string(e.what()).find("\"Subject: no From_ line^A\""), std::string::npos) << e.what();
  }
}

TEST(MboxReader, EnvelopeSenderBecomesReturnPath) {
  auto m = read_all(from1 + "S: a\n\nx\n\n" + "From MAILER-DAEMON Mon Nov 23 10:00:00 2026\r\nS: b\r\n\r\nx\r\n\r\n" +
                    from2 + "Return-Path: <bounce@example.org>\nS: c\n\nx\n\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(return_path_line(m[0]), "Return-Path: <alice@example.org>\n");
  EXPECT_EQ(return_path_line(m[1]), "Return-Path: <>\r\n");
  EXPECT_EQ(return_path_line(m[2]), "");
}

TEST(MboxReader, KeepsStatusHeadersAndTellsTheirLetters) {
  auto m = read_all(from1 + "Status: RO\nX-Status: A\nS: a\n\nStatus: body\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].status, "RO");
  EXPECT_EQ(m[0].x_status, "A");
  EXPECT_EQ(m[0].data, "Status: RO\nX-Status: A\nS: a\n\nStatus: body\n");
}

TEST(MboxReader, TakesStatusHeadersOutOfTheMessageWhenAsked) {
  // Any case, CRLF, a continuation line; a body line "Status:" stays; the
  // second message (no Status) is untouched.
  auto m = read_all(
      from1 + "S: a\r\nstatus: O\r\nX-STATUS: F\r\n D\r\nT: b\r\n\r\nStatus: R\r\n\r\n" + from2 + "S: b\n\ny\n\n",
      MboxFormat::automatic, StatusHeaders::take);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "S: a\r\nT: b\r\n\r\nStatus: R\r\n");
  EXPECT_EQ(m[0].status, "O");
  EXPECT_EQ(m[0].x_status, "F");
  EXPECT_EQ(m[1].data, "S: b\n\ny\n");
  // What was read of the mbox is the same either way.
  EXPECT_EQ(m[1].offset, read_all(from1 +
                                  "S: a\r\nstatus: O\r\nX-STATUS: F\r\n D\r\nT: b\r\n\r\n"
                                  "Status: R\r\n\r\n" +
                                  from2 + "S: b\n\ny\n\n")[1]
                             .offset);
}

TEST(MboxReader, TakesStatusHeadersOfAnMboxcl2Message) {
  const std::string body = "From x@y Mon Nov 23 10:00:00 2026\n";  // unquoted, as Dovecot writes
  auto m = read_all(from1 + "Status: RO\nContent-Length: " + std::to_string(body.size()) + "\n\n" + body + "\n" +
                        from2 + "Status: O\n\ny\n\n",
                    MboxFormat::mboxcl2, StatusHeaders::take);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].data, "Content-Length: " + std::to_string(body.size()) + "\n\n" + body);
  EXPECT_EQ(m[1].data, "\ny\n");
}

TEST(MaildirFlags, FromStatusAndXStatusSortedEachOnce) {
  auto flags = [](std::string status, std::string x_status) {
    MboxMessage m;
    m.status = std::move(status);
    m.x_status = std::move(x_status);
    return maildir_flags(m);
  };
  EXPECT_EQ(flags("", ""), std::nullopt);    // new
  EXPECT_EQ(flags("U", "x"), std::nullopt);  // no letter we know: new
  EXPECT_EQ(flags("O", ""), "");             // seen, no flag: cur/ with ":2,"
  EXPECT_EQ(flags("RO", ""), "S");
  EXPECT_EQ(flags("R", ""), "S");
  EXPECT_EQ(flags("RO", "A"), "RS");
  EXPECT_EQ(flags("RO", "AFDT"), "DFRST");  // A->R, F->F, D->T, T->D
  EXPECT_EQ(flags("OR", "FA"), "FRS");
  EXPECT_EQ(flags("RR", "FF"), "FS");
  EXPECT_EQ(flags("", "F"), "F");            // flagged but never opened: cur/ keeps the flag
  EXPECT_EQ(flags("A", "R"), std::nullopt);  // letters of the other header mean nothing here
}

TEST(MboxReader, ContentLengthMustEndALine) {
  // A sender's body line "xxFrom evil..." (which no writer quotes) and a
  // forged Content-Length: 2 must not split the message mid-line.
  const std::string box = from1 +
                          "Content-Length: 2\n\nxxFrom evil@x Mon Jan  1 00:00:00 2024\n"
                          "Message-ID: <forged@x>\n\nbody\n\n";
  auto m = read_all(box);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].data,
            "Content-Length: 2\n\nxxFrom evil@x Mon Jan  1 00:00:00 2024\n"
            "Message-ID: <forged@x>\n\nbody\n");
}

TEST(MboxReader, AbsurdContentLengthIsIgnoredNotAllocated) {
  for (const char* length : {"99999999999999", "9223372036854775807", "18446744073709551615"}) {
    auto m = read_all(from1 + "Content-Length: " + length + "\n\nbody\n\n" + from2 + "S: b\n\nb\n\n");
    ASSERT_EQ(m.size(), 2u) << length;
    EXPECT_EQ(m[0].data, std::string("Content-Length: ") + length + "\n\nbody\n");
  }
}

TEST(MboxReader, UnquotesAndSplitsAcrossReadBuffers) {
  // Lines of every length around the 1 MiB read buffer's edges, quoted
  // lines among them: the runs copied whole must join up exactly.
  std::string body, expected;
  for (int i = 0; body.size() < (3u << 20); ++i) {
    std::string line = std::string(static_cast<size_t>(i % 997), 'x') + "\n";
    if (i % 7 == 0) {
      body += ">From line " + std::to_string(i) + "\n";
      expected += "From line " + std::to_string(i) + "\n";
    }
    if (i % 11 == 0) {
      body += ">>From kept quoted\n";
      expected += ">>From kept quoted\n";
    }
    body += line;
    expected += line;
  }
  auto m = read_all(from1 + "S: a\n\n" + body + "\n" + from2 + "S: b\n\nend");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_TRUE(m[0].data == "S: a\n\n" + expected) << "first message differs";
  EXPECT_EQ(m[1].data, "S: b\n\nend");
  EXPECT_EQ(m[1].offset, from1.size() + 6 + body.size() + 1);
}
