#include <gtest/gtest.h>

#include "util/error.hpp"
#include "forum/bounce_address.hpp"

using forumgate::forum::BounceAddress;

TEST(BounceAddress, VerpBothWays) {
  BounceAddress b("{forum}-bounces+{local}={domain}@");
  EXPECT_TRUE(b.per_subscriber());
  std::string a = b.make("linux", "bob.smith+tag@example.net", "forum.example.org");
  EXPECT_EQ(a, "linux-bounces+bob.smith+tag=example.net@forum.example.org");
  auto t = b.match(a);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->forum, "linux");
  EXPECT_EQ(t->subscriber, "bob.smith+tag@example.net");
  t = b.match("LINUX-Bounces+bob=example.net@elsewhere.example");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->forum, "linux");
  EXPECT_FALSE(b.match("linux@forum.example.org"));
  EXPECT_FALSE(b.match("linux-bounces@forum.example.org"));
  EXPECT_FALSE(b.match("linux-subscribe@forum.example.org"));
}

TEST(BounceAddress, FixedDomainAndNoVerp) {
  BounceAddress b("bounces-{forum}@lists.example.org");
  EXPECT_FALSE(b.per_subscriber());
  EXPECT_EQ(b.make("linux", "bob@example.net", "ignored"), "bounces-linux@lists.example.org");
  auto t = b.match("bounces-linux@lists.example.org");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->subscriber, "");
  EXPECT_FALSE(b.match("bounces-linux@lists.example.org.evil"));
  EXPECT_FALSE(b.match("bounces-linuxXlists.example.org"));
}

TEST(BounceAddress, BadPatterns) {
  EXPECT_THROW(BounceAddress("bounces@"), forumgate::Error);
  EXPECT_THROW(BounceAddress("{forum}-bounces+{local}@"), forumgate::Error);
  EXPECT_THROW(BounceAddress("{forum}-bounces"), forumgate::Error);
}
