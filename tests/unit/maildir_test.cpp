#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "spool/maildir.hpp"
#include "temp_dir.hpp"

using namespace forumgate::spool;
namespace fs = std::filesystem;

namespace {
size_t count(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST(MaildirWriter, WritesToTmpAndCommitsIntoNew) {
  forumgate::test::TempDir dir;
  MaildirWriter w(dir / "queue");
  EXPECT_TRUE(is_maildir(dir / "queue"));
  EXPECT_EQ(fs::status(dir / "queue").permissions() & fs::perms::all, fs::perms::owner_all);
  std::string a = w.add("Return-Path: <a@b>\n", "S: a\n\nx\n");
  std::string b = w.add("", "S: b\n\ny\n");
  EXPECT_NE(a, b);
  EXPECT_NE(a.find(",S=" + std::to_string(19 + 8)), std::string::npos) << a;
  EXPECT_EQ(count(dir / "queue/tmp"), 2u);
  EXPECT_EQ(count(dir / "queue/new"), 0u);
  auto published = w.commit();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(count(dir / "queue/tmp"), 0u);
  EXPECT_EQ(slurp(published[0]), "Return-Path: <a@b>\nS: a\n\nx\n");
  EXPECT_EQ(maildir_messages(dir / "queue"), published);
}

TEST(MaildirWriter, MessagesWithFlagsGoIntoCurWithTheirInfo) {
  forumgate::test::TempDir dir;
  MaildirWriter w(dir / "queue");
  std::string a = w.add("", "S: a\n\nx\n");
  std::string b = w.add("", "S: b\n\ny\n", "FS");
  std::string c = w.add("", "S: c\n\nz\n", "");
  EXPECT_EQ(b.find(':'), std::string::npos) << "tmp/ names carry no info: " << b;
  EXPECT_EQ(count(dir / "queue/tmp"), 3u);
  auto published = w.commit();
  ASSERT_EQ(published.size(), 3u);
  EXPECT_EQ(published[0], dir / ("queue/new/" + a));
  EXPECT_EQ(published[1], dir / ("queue/cur/" + b + ":2,FS"));
  EXPECT_EQ(published[2], dir / ("queue/cur/" + c + ":2,"));
  EXPECT_EQ(slurp(published[1]), "S: b\n\ny\n");
  EXPECT_EQ(count(dir / "queue/tmp"), 0u);
  EXPECT_EQ(count(dir / "queue/new"), 1u);
  EXPECT_EQ(count(dir / "queue/cur"), 2u);
}

TEST(MaildirWriter, RollbackLeavesNothing) {
  forumgate::test::TempDir dir;
  {
    MaildirWriter w(dir / "queue");
    w.add("", "S: a\n\nx\n");
    w.rollback();
    w.add("", "S: b\n\nx\n");
  }  // destroyed without commit: rolled back too
  EXPECT_EQ(count(dir / "queue/tmp"), 0u);
  EXPECT_EQ(count(dir / "queue/new"), 0u);
}

TEST(Maildir, ListsNewThenCurSkippingDotFiles) {
  forumgate::test::TempDir dir;
  MaildirWriter w(dir / "md");
  std::ofstream(dir / "md/new/2.b") << "x";
  std::ofstream(dir / "md/new/1.a") << "x";
  std::ofstream(dir / "md/new/.hidden") << "x";
  std::ofstream(dir / "md/cur/0.c:2,S") << "x";
  std::ofstream(dir / "md/tmp/9.z") << "x";
  EXPECT_EQ(maildir_messages(dir / "md"),
            (std::vector<std::string>{dir / "md/new/1.a", dir / "md/new/2.b", dir / "md/cur/0.c:2,S"}));
  EXPECT_FALSE(is_maildir(dir / "md/new"));
}

TEST(Maildir, ListsInDeliveryOrderWhateverTheMicrosecondsPadding) {
  forumgate::test::TempDir dir;
  MaildirWriter w(dir / "md");
  // Dovecot does not pad the microseconds: as strings, M123456 < M99.
  std::ofstream(dir / "md/new/1795430400.M123456P2.host") << "x";
  std::ofstream(dir / "md/new/1795430400.M99P1.host") << "x";
  std::ofstream(dir / "md/new/1795430399.M999999P3.host") << "x";
  EXPECT_EQ(maildir_messages(dir / "md"),
            (std::vector<std::string>{dir / "md/new/1795430399.M999999P3.host", dir / "md/new/1795430400.M99P1.host",
                                      dir / "md/new/1795430400.M123456P2.host"}));
  // Ours are padded, so that their names sort as times for any reader.
  std::string ours = w.add("", "S: a\n\nx\n");
  EXPECT_EQ(ours.find(".M"), 10u);
  EXPECT_EQ(ours.find('P'), 10u + 2 + 6) << ours;
}

TEST(Maildir, ListsPostfixAndCourierNamesByTheirMicroseconds) {
  forumgate::test::TempDir dir;
  MaildirWriter w(dir / "md");
  // Postfix local(8): SECONDS.VdevIinodeMusec.host, device and inode in hex,
  // so within one second the inode would otherwise decide the order.
  std::ofstream(dir / "md/new/1795430400.V801I2aM900001.host") << "x";
  std::ofstream(dir / "md/new/1795430400.V801I1bM000002.host") << "x";
  // Courier (maildrop): SECONDS.MusecPpidVdevIinode.host.
  std::ofstream(dir / "md/new/1795430400.M500000P7V801I3c.host,S=1") << "x";
  EXPECT_EQ(maildir_messages(dir / "md"), (std::vector<std::string>{dir / "md/new/1795430400.V801I1bM000002.host",
                                                                    dir / "md/new/1795430400.M500000P7V801I3c.host,S=1",
                                                                    dir / "md/new/1795430400.V801I2aM900001.host"}));
}
