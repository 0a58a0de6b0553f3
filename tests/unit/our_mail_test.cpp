// What forumpost's own mail is made of: our addresses from the pattern,
// header values that cannot add a field, the notices' texts.

#include <gtest/gtest.h>

#include "forum/notice.hpp"
#include "forum/our_mail.hpp"
#include "forum/route.hpp"
#include "util/error.hpp"

using namespace forumgate;
using namespace forumgate::forum;

TEST(AddressPattern, OurAddressesFromThePatternAlone) {
  EXPECT_EQ(AddressPattern("{forum}@forum.example.org").address("linux"), "linux@forum.example.org");
  EXPECT_EQ(AddressPattern("forum-{forum}@Lists.example.org").address("linux", "-confirm-ab"),
            "forum-linux-confirm-ab@Lists.example.org");
  // Any domain: none of ours, so none at all.
  EXPECT_EQ(AddressPattern("{forum}@").address("linux", "-confirm-ab"), "linux-confirm-ab");
  EXPECT_THROW(AddressPattern("{forum}@x\nBcc: y"), Error);
  EXPECT_THROW(AddressPattern("{forum} @x"), Error);
}

TEST(OurMailHeader, NoValueAddsAField) {
  EXPECT_TRUE(one_line("Ünïcode is fine\tand tabs"));
  for (const char* bad : {"a\nBcc: x", "a\rb", "a\x1b[2J", "a\x7f"}) EXPECT_FALSE(one_line(bad)) << bad;
  EXPECT_FALSE(one_line(std::string_view("a\0b", 3)));
  EXPECT_EQ(as_one_line("a\nb\rc"), "a?b?c");
  EXPECT_TRUE(well_formed_id("<1@example.org>"));
  for (const char* bad : {"<1@example.org> <2@x>", "1@example.org", "<a\n@b>", "<a<b>", "<>", "<é@x>"})
    EXPECT_FALSE(well_formed_id(bad)) << bad;
  OurMailHeader h;
  h.add("To", "a@example.org");
  h.add_id("In-Reply-To", "<x@y>\nBcc: spy@evil.example");
  h.add_id("References", "<x@y>");
  EXPECT_EQ(h.text(), "To: a@example.org\nReferences: <x@y>\n");
  EXPECT_THROW(h.add("Subject", "a\nBcc: x"), Error);
}

TEST(Notice, TextsFilledAndSplit) {
  EXPECT_EQ(fill_notice("{forum} {nosuch} {forum", {{"forum", "linux"}}), "linux {nosuch} {forum");
  NoticeText n = split_notice("Subject: Not posted\nX-Other: dropped\n\nBody {x}\n");
  EXPECT_EQ(n.subject, "Not posted");
  EXPECT_EQ(n.body, "Body {x}\n");
  // Not ASCII: encoded words (RFC 2047), and never a line break.
  EXPECT_EQ(split_notice("Subject: Publié\n\nx").subject, "=?UTF-8?B?UHVibGnDqQ==?=");
  EXPECT_EQ(split_notice("subject: a\rb\n\n").subject, "a?b");
  for (const char* reason : {"unknown-forum", "not-member", "not-permitted", "too-large", "confirmation"})
    EXPECT_FALSE(split_notice(notice_text("", "linux", reason)).subject.empty()) << reason;
  EXPECT_THROW(notice_text("", "", "nosuch"), Error);
  EXPECT_EQ(rfc5322_date(1795430400), "Mon, 23 Nov 2026 10:40:00 +0000");
  EXPECT_EQ(notice_day(86400 * 3 + 5), 3);
}
