#include <gtest/gtest.h>

#include "spool/from_line.hpp"

using forumgate::spool::from_line_sender;
using forumgate::spool::is_from_line;

TEST(FromLine, WhatMailersWrite) {
  // Postfix local(8), procmail, mutt
  EXPECT_TRUE(is_from_line("From alice@example.org  Mon Nov 23 10:00:00 2026\n"));
  EXPECT_TRUE(is_from_line("From alice@example.org Mon Nov 23 10:00:00 2026"));
  // Dovecot, day padded with a space
  EXPECT_TRUE(is_from_line("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"));
  // git format-patch
  EXPECT_TRUE(is_from_line("From 2d3f5a9c1e0b7a6f Mon Sep 17 00:00:00 2001\n"));
  // CRLF mailbox
  EXPECT_TRUE(is_from_line("From bob@example.org Tue Nov 24 09:15:00 2026\r\n"));
}

TEST(FromLine, DatesSeenInRealMailboxes) {
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00 2026"));           // no seconds
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 +0100"));  // zone after
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00:00 +0100 2026"));  // zone before
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00:00 PST 2026"));
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00:00 MET DST 2026"));
  EXPECT_TRUE(is_from_line("From a@b Mon, 23 Nov 2026 10:00:00 +0100"));  // RFC 5322
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 9:05:00 2026"));          // one-digit hour
  EXPECT_TRUE(is_from_line("From  Mon Nov 23 10:00:00 2026"));            // empty sender
}

// The forms of the mailboxes in tests/data/mbox.
TEST(FromLine, ZonesUucpAndArchives) {
  EXPECT_TRUE(is_from_line("From a@b Tue Jan 20 09:33:11 1998 WETDST"));  // six letters
  EXPECT_TRUE(is_from_line("From a@b Tue Jan 20 09:33:11 MEWT 1998"));
  EXPECT_TRUE(is_from_line("From a@b Sat Jan  3 01:05:34 1996 GMT+1"));  // a name with an offset
  EXPECT_TRUE(is_from_line("From a@b Fri Oct 13 12:00:00 GMT-0500 2000"));
  EXPECT_TRUE(is_from_line("From uunet!a Mon Nov 23 10:00:00 1992 remote from uunet"));  // UUCP
  EXPECT_TRUE(is_from_line("From a Mon Nov 23 10:05 EST 1992 remote from decvax"));
  EXPECT_TRUE(is_from_line("From ???@??? Tue Sep 08 16:36:09 1998"));            // Eudora
  EXPECT_TRUE(is_from_line("From a at example.org  Mon Nov 23 10:00:00 2026"));  // pipermail
  EXPECT_TRUE(is_from_line("From a@b Mon Nov 23 10:00:00 98"));
  EXPECT_EQ(from_line_sender("From a at example.org  Mon Nov 23 10:00:00 2026"), "a at example.org");
  EXPECT_EQ(from_line_sender("From uunet!a Mon Nov 23 10:00:00 1992 remote from uunet"), "uunet!a");
}

TEST(FromLine, NotQuiteDates) {
  EXPECT_FALSE(is_from_line("From a Mon Nov 23 10:10:00 1992 remote from"));  // no host
  EXPECT_FALSE(is_from_line("From a Mon Nov 23 10:10:00 1992 remote from a b"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 WETDSTX"));  // seven letters
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 GMT+12345"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 +"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 gmt"));
}

TEST(FromLine, BodyLinesAreNot) {
  EXPECT_FALSE(is_from_line("From here on, all is well.\n"));
  EXPECT_FALSE(is_from_line("From Monday on we meet at 10:00:00 2026"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00 2026 and more text"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 32 10:00:00 2026"));
  EXPECT_FALSE(is_from_line("From a@b Mon Nov 23 10:00:00"));
  EXPECT_FALSE(is_from_line(">From a@b Mon Nov 23 10:00:00 2026"));
  EXPECT_FALSE(is_from_line("from a@b Mon Nov 23 10:00:00 2026"));
  EXPECT_FALSE(is_from_line("From:a@b Mon Nov 23 10:00:00 2026"));
  EXPECT_FALSE(is_from_line(""));
}

TEST(FromLine, SenderIsWhatPrecedesTheDate) {
  EXPECT_EQ(from_line_sender("From alice@example.org  Mon Nov 23 10:00:00 2026\n"), "alice@example.org");
  EXPECT_EQ(from_line_sender("From \"a b\"@example.org Mon Nov 23 10:00:00 2026"), "\"a b\"@example.org");
  EXPECT_EQ(from_line_sender("From  Mon Nov 23 10:00:00 2026"), "");
  EXPECT_EQ(from_line_sender("From MAILER-DAEMON Fri Jul  8 12:08:34 2011"), "MAILER-DAEMON");
  EXPECT_FALSE(from_line_sender("From here on"));
}
