#include <gtest/gtest.h>
#include <nettle/hmac.h>
#include <sys/stat.h>

#include <fstream>

#include "util/error.hpp"
#include "forum/reply_key.hpp"
#include "forum/route.hpp"
#include "temp_dir.hpp"

using forumgate::forum::looks_like_reply_key;
using forumgate::forum::ReplyKeys;

TEST(ReplyKey, VerifiesForItsPostAndSubscriberOnly) {
  ReplyKeys keys("0123456789abcdef-secret");
  std::string s = keys.suffix("linux", 42, "amelie@example.org");
  ASSERT_TRUE(looks_like_reply_key(s)) << s;
  EXPECT_EQ(s.substr(0, 5), "+r42.");
  EXPECT_EQ(keys.verify("linux", s, "amelie@example.org"), 42);
  EXPECT_EQ(keys.verify("linux", s, "AMELIE@example.org"), 42);  // case of the address
  EXPECT_FALSE(keys.verify("linux", s, "bob@example.net"));
  EXPECT_FALSE(keys.verify("kernel", s, "amelie@example.org"));
  std::string other = s;
  other.replace(2, 2, "43");
  EXPECT_FALSE(keys.verify("linux", other, "amelie@example.org"));
  EXPECT_FALSE(ReplyKeys("another secret, 16+").verify("linux", s, "amelie@example.org"));
}

// The key is HMAC-SHA-256's first 10 bytes over the NUL-separated fields,
// computed here independently of ReplyKeys.
TEST(ReplyKey, IsTruncatedHmacSha256) {
  const std::string secret = "0123456789abcdef-secret";
  const std::string data =
      std::string("forumgate reply key") + '\0' + "linux" + '\0' + "42" + '\0' + "amelie@example.org";
  uint8_t digest[SHA256_DIGEST_SIZE];
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, secret.size(), reinterpret_cast<const uint8_t*>(secret.data()));
  hmac_sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  hmac_sha256_digest(&ctx, sizeof digest, digest);
  char hex[21];
  for (int i = 0; i < 10; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  EXPECT_EQ(ReplyKeys(secret).key("linux", 42, "amelie@example.org"), hex);
}

TEST(ReplyKey, Shapes) {
  EXPECT_TRUE(looks_like_reply_key("+r1.0123456789abcdef0123"));
  EXPECT_FALSE(looks_like_reply_key("+r1.0123456789abcdef012"));
  EXPECT_FALSE(looks_like_reply_key("+rx.0123456789abcdef0123"));
  EXPECT_FALSE(looks_like_reply_key("-subscribe"));
  EXPECT_FALSE(looks_like_reply_key("+r.0123456789abcdef0123"));
}

TEST(ReplyKey, SecretFileMustBeTheOwnersAlone) {
  forumgate::test::TempDir dir;
  std::string path = dir / "secret";
  std::ofstream(path) << "a secret of more than sixteen bytes\n";
  ::chmod(path.c_str(), 0640);
  try {
    ReplyKeys::from_file(path);
    FAIL() << "a 0640 secret was accepted";
  } catch (const forumgate::Error& e) {
    EXPECT_EQ(e.status(), forumgate::Exit::config);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  ::chmod(path.c_str(), 0600);
  ReplyKeys keys = ReplyKeys::from_file(path);
  EXPECT_EQ(keys.key("linux", 1, "a@b"), ReplyKeys("a secret of more than sixteen bytes").key("linux", 1, "a@b"));
  std::ofstream(path) << "short\n";
  EXPECT_THROW(ReplyKeys::from_file(path), forumgate::Error);
}

TEST(ReplyKey, RoutedWithItsForum) {
  forumgate::forum::AddressPattern pattern("{forum}@forum.example.org");
  auto r = pattern.match("Linux+r42.0123456789ABCDEF0123@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->forum, "linux");
  EXPECT_EQ(r->action, forumgate::forum::Action::post);
  EXPECT_EQ(r->reply_key, "+r42.0123456789abcdef0123");
  // Not a key's shape: a forum name that cannot be ("linux+r42.x").
  EXPECT_FALSE(pattern.match("linux+r42.xyz@forum.example.org"));
  r = pattern.match("linux+subscribe@forum.example.org");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reply_key, "");
}
