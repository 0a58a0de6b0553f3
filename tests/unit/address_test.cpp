#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>

#include "mime/address.hpp"
#include "scaling.hpp"

using namespace forumgate::mime;

namespace {
// "name <address>" per entry, "|"-separated, to compare whole lists at once.
std::string list(std::string_view raw) {
  std::string out;
  for (const auto& a : parse_address_list(raw)) {
    if (!out.empty()) out += " | ";
    out += a.name + " <" + a.address + ">";
  }
  return out;
}

std::string ids(std::string_view raw) {
  std::string out;
  for (const auto& id : parse_message_ids(raw)) out += id;
  return out;
}

// Seconds since the epoch of 2026-11-24 01:55:43 UTC, worked out by hand:
// 20,454 days to 2026-01-01 (56 years, 14 of them leap) + 327 days to
// 24 November = 20,781 days; 20,781 * 86,400 + 6,943. Checked with date(1).
constexpr std::int64_t tue_24_nov_2026 = 1795485343;
}  // namespace

TEST(AddressList, NameAddr) {
  EXPECT_EQ(list("John Doe <j@x.org>"), "John Doe <j@x.org>");
  EXPECT_EQ(list("\"Doe, John\" <j@x.org>"), "Doe, John <j@x.org>");
  EXPECT_EQ(list("\"John \\\"Johnny\\\" Doe\" <j@x.org>"), "John \"Johnny\" Doe <j@x.org>");
  EXPECT_EQ(list("John Q. Public <jqp@x.org>"), "John Q. Public <jqp@x.org>");
  EXPECT_EQ(list("<j@x.org>"), " <j@x.org>");
  EXPECT_EQ(list("Mail Delivery System <MAILER-DAEMON>"), "Mail Delivery System <MAILER-DAEMON>");
}

TEST(AddressList, CommentsAsNames) {
  EXPECT_EQ(list("j@x.org (John Doe)"), "John Doe <j@x.org>");
  EXPECT_EQ(list("j@x.org (John (Jack) Doe)"), "John (Jack) Doe <j@x.org>");
  EXPECT_EQ(list("<j@x.org> (John)"), "John <j@x.org>");
  // A name wins over a comment.
  EXPECT_EQ(list("John (work) <j@x.org>"), "John <j@x.org>");
  EXPECT_EQ(list("j@x.org (=?UTF-8?Q?J=C3=B6rg?=)"), "Jörg <j@x.org>");
}

TEST(AddressList, Lists) {
  EXPECT_EQ(list("a@x.org, \"B\" <b@y.org>,c@z.org"), " <a@x.org> | B <b@y.org> |  <c@z.org>");
  EXPECT_EQ(list("a@x.org,, ,b@y.org,"), " <a@x.org> |  <b@y.org>");
  EXPECT_EQ(list(""), "");
}

TEST(AddressList, Groups) {
  EXPECT_EQ(list("undisclosed-recipients:;"), "");
  EXPECT_EQ(list("team: a@x.org, b@y.org;"), " <a@x.org> |  <b@y.org>");
  EXPECT_EQ(list("Team: \"A\" <a@x.org>, b@y.org; c@z.org"), "A <a@x.org> |  <b@y.org> |  <c@z.org>");
  // RFC 5322 appendix A.1.3
  EXPECT_EQ(list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            "Ed Jones <c@a.test> |  <joe@where.test> | John <jdoe@one.test>");
}

TEST(AddressList, EncodedNames) {
  // "Jörg Müller": 4a c3 b6 72 67 20 4d c3 bc 6c 6c 65 72 in base64.
  EXPECT_EQ(list("=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <a@x.org>"), "Jörg Müller <a@x.org>");
  EXPECT_EQ(list("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"), "André Pirard <PIRARD@vm1.ulg.ac.be>");
  // In quotes, where RFC 2047 forbids them and mailers put them anyway.
  EXPECT_EQ(list("\"=?UTF-8?Q?J=C3=B6rg?=\" <j@x.org>"), "Jörg <j@x.org>");
  EXPECT_EQ(list("Gr\xC3\xBC\xC3\x9F"
                 "e <g@x.org>"),
            "Grüße <g@x.org>");
}

TEST(AddressList, ObsoleteAndBroken) {
  EXPECT_EQ(list("<@relay.test,@other.test:a@x.org>"), " <a@x.org>");  // source route
  EXPECT_EQ(list("<a@x.org> <b@y.org>"), " <a@x.org> |  <b@y.org>");   // missing comma
  EXPECT_EQ(list("<a@x.org> Bob <b@y.org>"), " <a@x.org> | Bob <b@y.org>");
  EXPECT_EQ(list("john . doe @ example . org"), " <john.doe@example.org>");  // CFWS in addr-spec
  EXPECT_EQ(list("a@x.org b@y.org"), " <a@x.org> |  <b@y.org>");
  EXPECT_EQ(list("John Doe j@x.org"), "John Doe <j@x.org>");
  EXPECT_EQ(list("< j@x.org >"), " <j@x.org>");
  EXPECT_EQ(list("\"john doe\"@x.org"), " <\"john doe\"@x.org>");
  EXPECT_EQ(list("MAILER-DAEMON"), " <MAILER-DAEMON>");
  EXPECT_EQ(list("John <j@x.org"), "John <j@x.org>");               // '<' never closed
  EXPECT_EQ(list("John (Work <j@x.org>"), "John (Work <j@x.org>");  // '(' never closed
  EXPECT_EQ(list("<>"), "");
  EXPECT_EQ(list("Just A Name"), "");
  EXPECT_EQ(list("((("), "");
}

TEST(AddressList, LongListsStayLinear) {
  std::string raw;
  size_t count = 0;
  for (; raw.size() < (1u << 20); ++count) raw += "\"Some, Body\" <some.body@example.org>, ";
  std::string opens(1u << 20, '(');
  auto start = std::chrono::steady_clock::now();
  auto many = parse_address_list(raw);
  auto one_mb = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  auto none = parse_address_list(opens);
  auto quotes = parse_address_list(std::string(1u << 20, '"'));
  auto angles = parse_address_list(std::string(1u << 20, '<'));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cout << "[ measured ] 4 MB of address lists: " << ms.count() << " ms, the 1 MB list of " << count
            << " addresses " << one_mb.count() << " ms\n";
  EXPECT_EQ(many.size(), count);
  EXPECT_EQ(many.back().name, "Some, Body");
  double growth = forumgate::test::growth(
      [](int n) {
        std::string list;
        for (int i = 0; i < n; ++i) list += "\"Some, Body\" <some.body@example.org>, ";
        for (char c : {'(', '"', '<'}) parse_address_list(std::string(list.size(), c));
        parse_address_list(list);
      },
      1000);
  std::cout << "[ measured ] 16 times the input, " << growth << " times the time\n";
  EXPECT_LT(growth, forumgate::test::linear_growth);
}

TEST(AddressMessageIds, InOrderWithBrackets) {
  EXPECT_EQ(ids("<a@x.org>"), "<a@x.org>");
  EXPECT_EQ(ids("<a@x.org> <b@y.org>\r\n <c@z.org>"), "<a@x.org><b@y.org><c@z.org>");
  EXPECT_EQ(ids("<a@x.org><b@y.org>"), "<a@x.org><b@y.org>");
  EXPECT_EQ(ids("(comment <no@id>) <a@x.org> (another)"), "<a@x.org>");
  // RFC 5322 obsolete in-reply-to: a phrase, even one with quotes.
  EXPECT_EQ(ids("Your message of \"Mon, 23 Nov <x@y>\" <a@x.org>"), "<a@x.org>");
  EXPECT_EQ(ids("junk <a@x.org> more junk <b@y.org> trailing"), "<a@x.org><b@y.org>");
  EXPECT_EQ(ids("<a@x\r\n .org>"), "<a@x.org>");  // folded inside
  EXPECT_EQ(ids("<<a@x.org>"), "<a@x.org>");
  EXPECT_EQ(ids("<> <a@x.org> <unclosed"), "<a@x.org>");
  EXPECT_EQ(ids(""), "");
}

TEST(AddressMessageIds, BareIdsOnlyWhenThereIsNothingElse) {
  EXPECT_EQ(ids("a@x.org"), "<a@x.org>");
  EXPECT_EQ(ids("a@x.org b@y.org"), "<a@x.org><b@y.org>");
  EXPECT_EQ(ids("a@x.org <b@y.org>"), "<b@y.org>");
  EXPECT_EQ(ids("no ids here"), "");
}

TEST(Date, Rfc5322) {
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 +0000"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("24 Nov 2026 01:55:43 +0000"), tue_24_nov_2026);         // no weekday
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55 +0000"), tue_24_nov_2026 - 43);  // no seconds
  EXPECT_EQ(parse_date("Tue,24 Nov 2026 1:55:43 +0000"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Thu, 01 Jan 1970 00:00:00 +0000"), 0);
  EXPECT_EQ(parse_date("Thu, 1 Jan 1970 00:00:00 +0100"), -3600);
}

TEST(Date, Zones) {
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 +0100"), tue_24_nov_2026 - 3600);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 -0500"), tue_24_nov_2026 + 5 * 3600);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 +0530"), tue_24_nov_2026 - 5 * 3600 - 1800);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 -0000"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 UT"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 GMT"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 EST"), tue_24_nov_2026 + 5 * 3600);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 EDT"), tue_24_nov_2026 + 4 * 3600);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 PDT"), tue_24_nov_2026 + 7 * 3600);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 pst"), tue_24_nov_2026 + 8 * 3600);
  // RFC 5322 4.3: military zones and unknown names count as -0000.
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 Z"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 A"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 CET"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 +0000 (CET)"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 02:55:43 +0100 (CET)"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 02:55:43 +0100 MET DST"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43"), tue_24_nov_2026);  // no zone: as -0000
}

TEST(Date, ObsoleteYears) {
  // RFC 5322 4.3: 00-49 are 2000-2049, 50-99 are 1950-1999, three digits add 1900.
  EXPECT_EQ(parse_date("Tue, 24 Nov 26 01:55:43 +0000"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Wed, 24 Nov 99 01:55:43 +0000"), 943408543);
  EXPECT_EQ(parse_date("Sun, 24 Nov 124 01:55:43 +0000"), 1732413343);  // 2024
}

TEST(Date, OtherShapesMailersWrite) {
  EXPECT_EQ(parse_date("Tuesday, 24 November 2026 01:55:43 +0000"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue Nov 24 01:55:43 2026"), tue_24_nov_2026);  // asctime
  EXPECT_EQ(parse_date("Tue Nov 24 01:55:43 GMT 2026"), tue_24_nov_2026);
  EXPECT_EQ(parse_date("  Tue,  24  Nov  2026\r\n 01:55:43  +0000  "), tue_24_nov_2026);
  EXPECT_EQ(parse_date("Tue, 24 Nov 2026 01:55:43 +01:00"), tue_24_nov_2026 - 3600);
}

TEST(Date, CalendarEdges) {
  EXPECT_EQ(parse_date("Thu, 29 Feb 2024 12:00:00 +0000"), 1709208000);
  EXPECT_EQ(parse_date("29 Feb 2023 12:00:00 +0000"), std::nullopt);
  EXPECT_EQ(parse_date("29 Feb 1900 12:00:00 +0000"), std::nullopt);  // 1900 was not leap
  EXPECT_EQ(parse_date("31 Apr 2026 12:00:00 +0000"), std::nullopt);
  // A leap second is the next second, 2017-01-01 00:00:00.
  EXPECT_EQ(parse_date("Sat, 31 Dec 2016 23:59:60 +0000"), 1483228800);
}

TEST(Date, NotADate) {
  for (const char* raw :
       {"", "not a date", "24 Nov 2026", "24 Nov 2026 25:00:00 +0000", "24 Nov 2026 10:60:00 +0000",
        "24 Foo 2026 10:00:00 +0000", "0 Nov 2026 10:00 +0000", "24 Nov 2026 10:00:00 +0000 +0100",
        "24 Nov 2026 10:00:00 +0099", "24 Nov 12026 10:00:00 +0000", "24 Nov 1899 10:00:00 +0000", "1:2:3:4"})
    EXPECT_EQ(parse_date(raw), std::nullopt) << raw;
}
