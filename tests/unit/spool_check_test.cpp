#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "spool/spool_check.hpp"
#include "spool/spool_watch.hpp"
#include "temp_dir.hpp"

using namespace forumgate;
using namespace forumgate::spool;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* two_messages =
    "From alice@example.org Mon Nov 23 10:00:00 2026\n"
    "Subject: one\n"
    "\n"
    "From here on, all is well.\n"
    "\n"
    "From bob@example.org Mon Nov 23 10:05:00 2026\n"
    "Subject: two\n"
    "\n"
    "bye\n";

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A Maildir with tmp/, new/ and cur/.
std::string make_maildir(const test::TempDir& dir, const std::string& name) {
  for (const char* sub : {"tmp", "new", "cur"}) fs::create_directories(dir.path() / name / sub);
  return dir / name;
}

std::uint64_t count_in(const std::string& text) {
  char path[] = "/tmp/forumgate-mbox.XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  unlink(path);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  lseek(fd, 0, SEEK_SET);
  std::uint64_t n = count_mbox_messages(fd);
  close(fd);
  return n;
}

// Runs fn as user nobody when we are root, in a child; its exit status.
int as_nobody(const std::function<int()>& fn) {
  if (geteuid() != 0) return fn();
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(99);
    _exit(fn());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(SpoolCheck, MboxHasMailWhenNotEmpty) {
  test::TempDir dir;
  write_file(dir / "empty", "");
  write_file(dir / "box", two_messages);
  SpoolState empty = check_spool(dir / "empty");
  EXPECT_EQ(empty.type, SpoolType::mbox);
  EXPECT_FALSE(empty.new_mail);
  SpoolState box = check_spool(dir / "box");
  EXPECT_EQ(box.type, SpoolType::mbox);
  EXPECT_TRUE(box.new_mail);
  EXPECT_EQ(box.count, 0u) << "counting is asked for, not done by default";
}

TEST(SpoolCheck, MissingSpoolHasNoMailAndIsNoError) {
  test::TempDir dir;
  SpoolState s = check_spool(dir / "absent");
  EXPECT_EQ(s.type, SpoolType::missing);
  EXPECT_FALSE(s.new_mail);
  EXPECT_STREQ(type_name(s.type), "missing");
}

TEST(SpoolCheck, MaildirDotFilesInNewAreNoMail) {
  test::TempDir dir;
  std::string md = make_maildir(dir, "Maildir");
  write_file(md + "/new/.DS_Store", "x");
  write_file(md + "/new/.nfs0001", "x");
  SpoolState s = check_spool(md, Detail::count);
  EXPECT_EQ(s.type, SpoolType::maildir);
  EXPECT_FALSE(s.new_mail);
  EXPECT_EQ(s.count, 0u);
}

TEST(SpoolCheck, MaildirMailInCurOnlyIsNotNew) {
  test::TempDir dir;
  std::string md = make_maildir(dir, "Maildir");
  write_file(md + "/cur/1700000000.1.host:2,S", "seen");
  write_file(md + "/tmp/1700000001.2.host", "being delivered");
  EXPECT_FALSE(check_spool(md).new_mail);
  write_file(md + "/new/1700000002.3.host", "new");
  EXPECT_TRUE(check_spool(md).new_mail);
  EXPECT_TRUE(check_spool(md + "/").new_mail) << "a trailing slash names the same Maildir";
}

TEST(SpoolCheck, CountsMboxMessagesAndMaildirFiles) {
  test::TempDir dir;
  write_file(dir / "box", two_messages);
  SpoolState box = check_spool(dir / "box", Detail::count);
  EXPECT_EQ(box.count, 2u) << "\"From here on\" is a body line, not a separator";
  std::string md = make_maildir(dir, "Maildir");
  for (int i = 0; i < 300; ++i) write_file(md + "/new/" + std::to_string(i) + ".host", "m");
  write_file(md + "/new/.hidden", "x");
  SpoolState maildir = check_spool(md, Detail::count);
  EXPECT_TRUE(maildir.new_mail);
  EXPECT_EQ(maildir.count, 300u);
}

TEST(SpoolCheck, CountingSeesFromLinesAcrossReadBlocks) {
  // Messages of about 100 KiB: From_ lines straddle the 256 KiB read blocks.
  std::string body(100 * 1024 - 1, 'x');
  std::string mbox;
  for (int i = 0; i < 40; ++i) mbox += "From a@b Mon Nov 23 10:00:00 2026\n\n" + body + "\n\n";
  EXPECT_EQ(count_in(mbox), 40u);
  EXPECT_EQ(count_in(""), 0u);
  EXPECT_EQ(count_in("From a@b Mon Nov 23 10:00:00 2026"), 1u) << "no final newline";
  EXPECT_EQ(count_in("From a@b Mon Nov 23 10:00:00 2026\r\n\r\nbody\r\n"), 1u) << "CRLF";
  EXPECT_EQ(count_in("x From a@b Mon Nov 23 10:00:00 2026\n"), 0u) << "not at a line start";
  EXPECT_EQ(count_in("From " + std::string(5000, 'a') + " Mon Nov 23 10:00:00 2026\n"), 0u)
      << "a line too long for a From_ line";
}

TEST(SpoolCheck, FifoIsNoSpool) {
  test::TempDir dir;
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  try {
    check_spool(dir / "fifo");
    FAIL() << "a FIFO is neither an mbox nor a Maildir";
  } catch (const SpoolError& e) {
    EXPECT_EQ(e.spool(), dir / "fifo");
    EXPECT_NE(std::string(e.what()).find(dir / "fifo" + ": not a spool"), std::string::npos) << e.what();
  }
}

TEST(SpoolCheck, DirectoryWithoutNewIsNoSpool) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "plain");
  EXPECT_THROW(check_spool(dir / "plain"), SpoolError);
}

TEST(SpoolCheck, UnreadableSpoolIsAnError) {
  test::TempDir dir;
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  write_file(dir / "box", "");
  ASSERT_EQ(chmod((dir / "box").c_str(), 0), 0);
  std::string md = make_maildir(dir, "Maildir");
  ASSERT_EQ(chmod((md + "/new").c_str(), 0), 0);
  // Root reads everything: look as nobody, in a child.
  int status = as_nobody([&] {
    try {
      check_spool(dir / "box");
      return 10;  // an mbox that cannot be read must not pass as empty
    } catch (const SpoolError& e) {
      if (e.status() != Exit::noperm || e.reason() != std::strerror(EACCES)) return 11;
    }
    try {
      check_spool(md);
      return 12;
    } catch (const SpoolError& e) {
      if (e.reason() != std::string("cannot read new/: ") + std::strerror(EACCES)) return 13;
    }
    return 0;
  });
  EXPECT_EQ(status, 0);
}

TEST(SpoolCheck, RemoteSpoolsThatCannotBeCheckedAreSpoolErrors) {
  for (const char* url : {"pop3://u:pw@h", "pop3s://u:pw@h/", "imap://u:pw@h/INBOX", "imaps://u:pw@h"}) {
    EXPECT_TRUE(is_remote_spool(url));
    try {
      check_spool(url);
      FAIL() << url;
    } catch (const SpoolError& e) {
      EXPECT_EQ(e.status(), Exit::usage) << url;
      EXPECT_NE(e.reason().find("netrc"), std::string::npos) << e.reason();
      EXPECT_EQ(e.spool(), url);
    }
  }
  // Nobody listens on port 1 here: try again later, and the spool named once.
  try {
    check_spool("imap://u@127.0.0.1:1/INBOX");
    FAIL();
  } catch (const SpoolError& e) {
    EXPECT_EQ(e.status(), Exit::tempfail) << e.what();
    EXPECT_EQ(e.reason().find("imap://"), std::string::npos) << e.reason();
  }
  EXPECT_FALSE(is_remote_spool("/var/mail/pop3"));
  EXPECT_FALSE(is_remote_spool("imap"));
}

TEST(SpoolCheck, ReadsSpoolNamesOnePerLine) {
  test::TempDir dir;
  write_file(dir / "list", "/var/mail/a\n\n/srv/Maildir/b\nname with spaces\n/no/final/newline");
  auto names = read_spool_names(dir / "list");
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names[0], "/var/mail/a");
  EXPECT_EQ(names[2], "name with spaces");
  EXPECT_EQ(names[3], "/no/final/newline");
  try {
    read_spool_names(dir / "absent");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Exit::noinput);
    EXPECT_NE(std::string(e.what()).find(dir / "absent"), std::string::npos);
  }
}

TEST(SpoolCheck, ManySpoolsAreCheckedInOrderOnSeveralThreads) {
  test::TempDir dir;
  // Mboxes and Maildirs in runs, so that guessing the kind from the spool
  // before goes wrong as well as right; every 97th has mail.
  std::vector<std::string> spools;
  for (int i = 0; i < 5000; ++i) {
    std::string spool = dir / std::to_string(i);
    bool maildir = (i / 3) % 2 == 1;
    bool mail = i % 97 == 0;
    if (maildir) {
      make_maildir(dir, std::to_string(i));
      if (mail) write_file(spool + "/new/1.host", "m");
    } else if (i % 7 != 0) {  // and some missing
      write_file(spool, mail ? two_messages : "");
    }
    spools.push_back(spool);
  }
  spools.push_back("imap://u:pw@h/INBOX");
  auto results = check_spools(spools, Detail::count);
  ASSERT_EQ(results.size(), spools.size());
  for (int i = 0; i < 5000; ++i) {
    const SpoolResult& r = results[static_cast<size_t>(i)];
    ASSERT_TRUE(r.checked && r.state) << spools[static_cast<size_t>(i)] << ": " << r.error;
    bool maildir = (i / 3) % 2 == 1;
    bool present = maildir || i % 7 != 0;
    EXPECT_EQ(r.state->type, maildir ? SpoolType::maildir : present ? SpoolType::mbox : SpoolType::missing) << i;
    EXPECT_EQ(r.state->new_mail, present && i % 97 == 0) << i;
    EXPECT_EQ(r.state->count, present && i % 97 == 0 ? (maildir ? 1u : 2u) : 0u) << i;
  }
  EXPECT_NE(results.back().error.find("netrc"), std::string::npos) << results.back().error;
  EXPECT_FALSE(results.back().state);

  auto first = check_spools(spools, Detail::presence, true);
  size_t with_mail = 0;
  for (const auto& r : first) with_mail += r.new_mail();
  EXPECT_GE(with_mail, 1u) << "stopping at mail finds some";
  EXPECT_TRUE(check_spools({}, Detail::presence).empty());
}

TEST(SpoolWatch, WakesForADeliveryIntoAMaildir) {
  test::TempDir dir;
  std::string md = make_maildir(dir, "Maildir");
  write_file(dir / "box", "");
  SpoolWatch watch;
  watch.watch(0, dir / "box");
  watch.watch(1, md);
  ASSERT_FALSE(check_spool(md).new_mail);
  std::thread mta([&] {
    std::this_thread::sleep_for(100ms);
    write_file(md + "/tmp/1.host", "mail");
    fs::rename(md + "/tmp/1.host", md + "/new/1.host");
  });
  auto woken = watch.wait(lock::Deadline::after(120s));
  mta.join();
  ASSERT_EQ(woken, std::vector<std::size_t>{1});
  EXPECT_TRUE(check_spool(md).new_mail);
}

TEST(SpoolWatch, WakesForAnAppendToAnMbox) {
  test::TempDir dir;
  write_file(dir / "box", "");
  write_file(dir / "other", "");
  SpoolWatch watch;
  watch.watch(0, dir / "other");
  watch.watch(1, dir / "box");
  std::thread mta([&] {
    std::this_thread::sleep_for(100ms);
    std::ofstream(dir / "box", std::ios::app) << two_messages;
  });
  auto woken = watch.wait(lock::Deadline::after(120s));
  mta.join();
  EXPECT_EQ(woken, std::vector<std::size_t>{1}) << "mboxes in one directory are told apart";
  EXPECT_TRUE(check_spool(dir / "box").new_mail);
}

TEST(SpoolWatch, WakesForAnMboxCreatedWhereThereWasNone) {
  test::TempDir dir;
  SpoolWatch watch;
  watch.watch(0, dir / "box");
  std::thread mta([&] {
    std::this_thread::sleep_for(100ms);
    write_file(dir / "box", two_messages);
  });
  auto woken = watch.wait(lock::Deadline::after(120s));
  mta.join();
  EXPECT_EQ(woken, std::vector<std::size_t>{0});
  EXPECT_TRUE(check_spool(dir / "box").new_mail);
}

TEST(SpoolWatch, WakesForAnAppendToTheFileALinkedMboxPointsTo) {
  test::TempDir dir;
  fs::create_directories(dir.path() / "spool");
  fs::create_directories(dir.path() / "elsewhere");
  write_file(dir / "elsewhere/box", "");
  fs::create_symlink(dir / "elsewhere/box", dir / "spool/box");
  SpoolWatch watch;
  watch.watch(0, dir / "spool/box");
  std::thread mta([&] {
    std::this_thread::sleep_for(100ms);
    std::ofstream(dir / "elsewhere/box", std::ios::app) << two_messages;
  });
  auto woken = watch.wait(lock::Deadline::after(120s));
  mta.join();
  EXPECT_EQ(woken, std::vector<std::size_t>{0});
  EXPECT_TRUE(check_spool(dir / "spool/box").new_mail);
}

TEST(SpoolWatch, ReturnsNothingAtTheDeadline) {
  test::TempDir dir;
  std::string md = make_maildir(dir, "Maildir");
  SpoolWatch watch;
  watch.watch(0, md);
  write_file(md + "/cur/seen", "x");  // not new/: no wake
  EXPECT_TRUE(watch.wait(lock::Deadline::after(200ms)).empty());
}

TEST(SpoolWatch, NoDirectoryToWatchIsAnError) {
  test::TempDir dir;
  SpoolWatch watch;
  EXPECT_THROW(watch.watch(0, dir / "no/such/dir/box"), SpoolError);
}
