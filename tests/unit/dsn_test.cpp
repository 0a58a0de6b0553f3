#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mime/dsn.hpp"
#include "mime/message.hpp"

using namespace forumgate::mime;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string summary(const Dsn& dsn) {
  std::string out;
  for (const auto& r : dsn.recipients)
    out += r.address + " " + r.action + " " + r.status + " " + (r.hard() ? "hard" : r.soft() ? "soft" : "none") + "\n";
  return out;
}

}  // namespace

// Each bounce of tests/data/dsn against its expected reading, written by hand.
TEST(Dsn, OtherMtasBounces) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(FORUMGATE_TEST_DATA "/dsn")) {
    if (entry.path().extension() != ".eml") continue;
    ++files;
    std::filesystem::path expected = entry.path();
    expected.replace_extension(".expected");
    Dsn dsn = read_dsn(parse_message(read(entry.path())));
    EXPECT_EQ(summary(dsn), read(expected)) << entry.path();
  }
  EXPECT_GE(files, 7);
}

TEST(Dsn, Groups) {
  auto g = dsn_groups("\nReporting-MTA: dns; x\n\nFinal-Recipient: rfc822;\n a@b\nStatus: 5.1.1\n\n\n");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0][0].name, "Reporting-MTA");
  EXPECT_EQ(g[1][0].value, "rfc822; a@b");
  EXPECT_EQ(g[1][1].value, "5.1.1");
}

TEST(Dsn, MalformedStatusAndNoReport) {
  std::string m =
      "From: MAILER-DAEMON@x\nSubject: bounce\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
      "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
      "Final-Recipient: rfc822; <a@b> (comment)\nAction: Failed\nStatus: 5.1\nDiagnostic-Code: smtp; \r\x01"
      "550\n"
      "\nOriginal-Recipient: rfc822; c@d\nStatus: 9.9.9\n--b--\n";
  Dsn dsn = read_dsn(parse_message(m));
  ASSERT_TRUE(dsn.found);
  ASSERT_EQ(dsn.recipients.size(), 2u);
  EXPECT_EQ(dsn.recipients[0].address, "a@b");
  EXPECT_EQ(dsn.recipients[0].action, "failed");
  EXPECT_EQ(dsn.recipients[0].status, "");
  EXPECT_TRUE(dsn.recipients[0].hard());
  EXPECT_EQ(dsn.recipients[0].diagnostic, "smtp; 550");
  EXPECT_EQ(dsn.recipients[1].address, "c@d");
  EXPECT_FALSE(dsn.recipients[1].hard());
  EXPECT_FALSE(dsn.recipients[1].soft());
  EXPECT_FALSE(read_dsn(parse_message("From: a@b\nSubject: hi\n\nbody\n")).found);
}
