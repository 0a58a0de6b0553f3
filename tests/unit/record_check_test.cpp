// A post record read from outside is checked as a message would be: what
// can reach a header or a log line holds no line break, ids are ids,
// addresses are addresses.
#include "post/record_check.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

using forumgate::post::Record;

namespace {

Record parsed(const std::string& json) {
  Record r;
  from_json(nlohmann::json::parse(json), r);
  return r;
}

// The message of the refusal, or "" when the record is taken.
std::string refusal(const std::string& json) {
  try {
    parsed(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(RecordCheck, WhatMimeparseWritesIsTaken) {
  EXPECT_EQ(refusal(R"({"version":1,"message_id":"<1@example.org>","in_reply_to":null,
    "references":["<0@example.org>"],"from":{"name":"Amélie \"A\" Durand","address":"amelie@example.org"},
    "to":[{"name":"","address":"linux@forum.example.org"},{"name":"","address":"root"}],
    "recipient":"linux@forum.example.org","envelope_sender":"","delivered_to":["linux@forum.example.org"],
    "subject":"Problème\ttab","text":"line\nline\r\n","html":"<p>\n</p>",
    "attachments":[{"part":"1.2","filename":"a.pdf","content_type":"application/pdf"}],"auto":"none"})"),
            "");
  EXPECT_EQ(refusal(R"({"version":1})"), "");  // nothing but the version: a message without a header
  EXPECT_EQ(refusal(R"({"version":1,"from":{"name":"","address":"\"john doe\"@[192.0.2.1]"}})"), "");
}

// A line break in an id would go into In-Reply-To: and add a Bcc: to the
// mail sendmail -t sends.
TEST(RecordCheck, IdsWithLineBreaksOrSpacesAreRefused) {
  EXPECT_EQ(refusal(R"({"version":1,"message_id":"<a@b>\nBcc: thief@evil.example"})"),
            "message_id \"<a@b>^JBcc: thief@evil.example\" is not a message id (<...> without spaces or controls)");
  EXPECT_NE(refusal(R"({"version":1,"in_reply_to":"<a@b>\r\nX: y"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"references":["<ok@b>","<a b@c>"]})"), "");
  EXPECT_NE(refusal(R"({"version":1,"message_id":"a@b"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"message_id":"<a\u0000@b>"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"message_id":"<>"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"message_id":"<a<b>"})"), "");
}

TEST(RecordCheck, AddressesMustBeAddresses) {
  EXPECT_NE(refusal(R"({"version":1,"from":{"name":"","address":"a@b\nBcc: c@d"}})"), "");
  EXPECT_NE(refusal(R"({"version":1,"from":{"name":"","address":"a b@c"}})"), "");
  EXPECT_NE(refusal(R"({"version":1,"from":{"name":"","address":"root"}})"), "");
  EXPECT_NE(refusal(R"({"version":1,"from":{"name":"","address":"a@"}})"), "");
  EXPECT_NE(refusal(R"({"version":1,"from":{"name":"","address":"a..b@c"}})"), "");
  EXPECT_NE(refusal(R"({"version":1,"reply_to":[{"name":"","address":"<a@b>"}]})"), "");
  EXPECT_NE(refusal(R"({"version":1,"recipient":"linux@forum\r"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"envelope_sender":"a@b c"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"to":[{"name":"","address":"a\nb"}]})"), "");
  EXPECT_EQ(refusal(R"({"version":1,"from":{"name":"","address":"a@b\nc"}})"),
            "from.address \"a@b^Jc\" is not an address (local@domain)");
}

TEST(RecordCheck, NamesSubjectsAndAttachmentsAreOneLine) {
  EXPECT_EQ(refusal(R"({"version":1,"from":{"name":"A\nBcc: x@y","address":"a@b"}})"),
            "from.name \"A^JBcc: x@y\" is not one line (a CR, LF or NUL in it)");
  EXPECT_NE(refusal(R"({"version":1,"subject":"hi\r\nBcc: x@y"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"subject":"nul\u0000"})"), "");
  EXPECT_NE(refusal(R"({"version":1,"attachments":[{"filename":"a\n.pdf"}]})"), "");
  EXPECT_NE(refusal(R"({"version":1,"authentication_results":["mx; dmarc=pass\nX: y"]})"), "");
  EXPECT_NE(refusal(R"({"version":1,"auto":"sure"})"), "");
}

// Numbers are taken only as whole numbers their field can hold: a float or
// a number out of range would be converted with a plain cast, which is
// undefined behaviour (7.6666e+81 as the version was one such input).
TEST(RecordCheck, NumbersMustBeWholeAndInRange) {
  EXPECT_EQ(refusal(R"({"version":76666e77})"), "version must be a whole number from -2147483648 to 2147483647");
  EXPECT_EQ(refusal(R"({"version":1.5})"), "version must be a whole number from -2147483648 to 2147483647");
  EXPECT_EQ(refusal(R"({"version":4294967297})"), "version must be a whole number from -2147483648 to 2147483647");
  EXPECT_NE(refusal(R"({"version":"1"})"), "");
  EXPECT_EQ(refusal(R"({"version":1,"size":-1})"), "size must be a whole number from 0 to 18446744073709551615");
  EXPECT_EQ(refusal(R"({"version":1,"size":1e30})"), "size must be a whole number from 0 to 18446744073709551615");
  EXPECT_NE(refusal(R"({"version":1,"attachments":[{"size":-5}]})"), "");
  EXPECT_NE(refusal(R"({"version":1,"date":9.3e18})"), "");
  EXPECT_NE(refusal(R"({"version":1,"date":18446744073709551615})"), "");

  Record r = parsed(R"({"version":1,"size":18446744073709551615,"date":-9223372036854775808,
    "attachments":[{"size":0}]})");
  EXPECT_EQ(r.size, 18446744073709551615u);
  ASSERT_TRUE(r.date);
  EXPECT_EQ(*r.date, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(r.attachments.at(0).size, 0u);
  EXPECT_FALSE(parsed(R"({"version":1,"date":null})").date);
}
