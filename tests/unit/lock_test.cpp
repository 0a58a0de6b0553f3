#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "lock/dot_lock.hpp"
#include "lock/file_lock.hpp"
#include "lock/mailbox_lock.hpp"
#include "temp_dir.hpp"
#include "util/error.hpp"

using namespace forumgate;
using namespace forumgate::lock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

void touch_ago(const std::string& path, int seconds_ago) {
  std::ofstream(path) << "";
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = time(nullptr) - seconds_ago;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Runs fn in a child process and returns its exit status: fcntl locks only
// conflict between processes.
int in_child(const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Exit status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.status();
  }
  return Exit::ok;
}

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

TEST(DotLock, TakesAndReleasesTheLockFileWritingOurPid) {
  test::TempDir dir;
  DotLock lk(dir / "box.lock", 500s);
  ASSERT_TRUE(lk.try_acquire());
  EXPECT_EQ(read_file(dir / "box.lock"), std::to_string(getpid()) + "\n");
  EXPECT_EQ(entries(dir.path()), 1u) << "the unique temporary file must be gone";
  lk.release();
  EXPECT_FALSE(fs::exists(dir / "box.lock"));
}

TEST(DotLock, ExcludesASecondTaker) {
  test::TempDir dir;
  DotLock first(dir / "box.lock", 500s);
  DotLock second(dir / "box.lock", 500s);
  ASSERT_TRUE(first.try_acquire());
  EXPECT_FALSE(second.try_acquire());
  EXPECT_NE(second.holder().find("pid " + std::to_string(getpid())), std::string::npos) << second.holder();
  first.release();
  EXPECT_TRUE(second.try_acquire());
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(DotLock, BreaksOnlyALockOlderThanTheStaleAge) {
  test::TempDir dir;
  touch_ago(dir / "box.lock", 600);
  DotLock patient(dir / "box.lock", 1000s);
  EXPECT_FALSE(patient.try_acquire());
  DotLock breaker(dir / "box.lock", 500s);
  EXPECT_TRUE(breaker.try_acquire());
  EXPECT_EQ(read_file(dir / "box.lock"), std::to_string(getpid()) + "\n");
}

TEST(DotLock, LeavesALockItNoLongerOwns) {
  test::TempDir dir;
  DotLock lk(dir / "box.lock", 500s);
  ASSERT_TRUE(lk.try_acquire());
  // A peer broke ours as stale and took the lock itself.
  fs::remove(dir / "box.lock");
  std::ofstream(dir / "box.lock") << "99999\n";
  lk.release();
  EXPECT_EQ(read_file(dir / "box.lock"), "99999\n");
}

TEST(DotLock, RefreshKeepsAHeldLockFresh) {
  test::TempDir dir;
  DotLock lk(dir / "box.lock", 500s);
  ASSERT_TRUE(lk.try_acquire());
  timespec old[2] = {{time(nullptr) - 400, 0}, {time(nullptr) - 400, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (dir / "box.lock").c_str(), old, 0), 0);
  lk.refresh();
  struct stat st {};
  ASSERT_EQ(stat((dir / "box.lock").c_str(), &st), 0);
  EXPECT_GE(st.st_mtime, time(nullptr) - 5);
  EXPECT_EQ(lk.refresh_interval(), 166s);
}

TEST(DotLock, MissingDirectoryIsCantCreate) {
  test::TempDir dir;
  DotLock lk(dir / "no/such/box.lock", 500s);
  EXPECT_EQ(status_of([&] { lk.try_acquire(); }), Exit::cantcreat);
}

TEST(DotLock, WaitsUntilTheDeadlineThenGivesUp) {
  test::TempDir dir;
  DotLock first(dir / "box.lock", 500s);
  DotLock second(dir / "box.lock", 500s);
  ASSERT_TRUE(first.try_acquire());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(second.acquire(Deadline::after(150ms)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(FileLock, FlockExcludesAnotherOpenFileAndNamesTheHolder) {
  test::TempDir dir;
  FileLock first(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  FileLock second(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  ASSERT_TRUE(first.try_acquire());
  EXPECT_FALSE(second.try_acquire());
  EXPECT_NE(second.holder().find("pid " + std::to_string(getpid())), std::string::npos)
      << "holder: '" << second.holder() << "'";
  first.release();
  EXPECT_TRUE(second.try_acquire());
}

TEST(FileLock, TimedWaitEndsAtTheDeadline) {
  test::TempDir dir;
  FileLock first(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  FileLock second(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  ASSERT_TRUE(first.try_acquire());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(second.acquire(Deadline::after(200ms)));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 200ms);
  EXPECT_LT(waited, 60s) << "the wait did not end at its deadline";
}

TEST(FileLock, CancelledDeadlineEndsTheWait) {
  test::TempDir dir;
  FileLock first(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  FileLock second(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  ASSERT_TRUE(first.try_acquire());
  volatile std::sig_atomic_t flag = SIGTERM;
  Deadline d = Deadline::never();
  d.cancelled_by(&flag);
  EXPECT_FALSE(second.acquire(d));
}

TEST(FileLock, FcntlExcludesAnotherProcess) {
  test::TempDir dir;
  FileLock mine(dir / "box", FileLock::Api::fcntl, FileLock::Open::create);
  ASSERT_TRUE(mine.try_acquire());
  int busy = in_child([&] {
    FileLock theirs(dir / "box", FileLock::Api::fcntl, FileLock::Open::existing);
    if (theirs.try_acquire()) return 0;
    return theirs.holder() == "pid " + std::to_string(getppid()) + " (unit_tests)" ? 1 : 2;
  });
  EXPECT_EQ(busy, 1);
  mine.release();
  EXPECT_EQ(in_child([&] {
              FileLock theirs(dir / "box", FileLock::Api::fcntl, FileLock::Open::existing);
              return theirs.try_acquire() ? 0 : 1;
            }),
            0);
}

TEST(FileLock, DescriptorIsCloseOnExec) {
  test::TempDir dir;
  FileLock lk(dir / "cron.lock", FileLock::Api::flock, FileLock::Open::create);
  EXPECT_TRUE(fcntl(lk.fd(), F_GETFD) & FD_CLOEXEC);
}

TEST(FileLock, ErrorsSayWhatIsMissing) {
  test::TempDir dir;
  EXPECT_EQ(status_of([&] { FileLock(dir / "no/dir/cron.lock", FileLock::Api::flock, FileLock::Open::create); }),
            Exit::cantcreat);
  EXPECT_EQ(status_of([&] { FileLock(dir / "no-mailbox", FileLock::Api::fcntl, FileLock::Open::existing); }),
            Exit::noinput);
}

TEST(MailboxLock, TakesFcntlThenDotlock) {
  test::TempDir dir;
  std::ofstream(dir / "box") << "From a@b Mon Nov 23 10:00:00 2026\n\n";
  MailboxLock lk(dir / "box", 500s);
  ASSERT_TRUE(lk.try_acquire());
  EXPECT_TRUE(fs::exists(dir / "box.lock"));
  EXPECT_EQ(in_child([&] {
              FileLock theirs(dir / "box", FileLock::Api::fcntl, FileLock::Open::existing);
              return theirs.try_acquire() ? 0 : 1;
            }),
            1);
  lk.release();
  EXPECT_FALSE(fs::exists(dir / "box.lock"));
}

TEST(MailboxLock, HoldsNeitherLockWhileTheOtherIsBusy) {
  test::TempDir dir;
  std::ofstream(dir / "box") << "";
  DotLock peer(dir / "box.lock", 500s);
  ASSERT_TRUE(peer.try_acquire());
  MailboxLock lk(dir / "box", 500s);
  EXPECT_FALSE(lk.acquire(Deadline::after(50ms)));
  EXPECT_NE(lk.holder().find("pid " + std::to_string(getpid())), std::string::npos);
  // The fcntl lock it took on the way must have been let go.
  EXPECT_EQ(in_child([&] {
              FileLock theirs(dir / "box", FileLock::Api::fcntl, FileLock::Open::existing);
              return theirs.try_acquire() ? 0 : 1;
            }),
            0);
}

TEST(MailboxLock, MissingMailboxIsNoInput) {
  test::TempDir dir;
  EXPECT_EQ(status_of([&] { MailboxLock(dir / "absent", 500s); }), Exit::noinput);
}

TEST(Kind, ParsesTheThreeKindsAndRejectsOthers) {
  EXPECT_EQ(parse_kind("flock"), Kind::flock);
  EXPECT_EQ(parse_kind("fcntl"), Kind::fcntl);
  EXPECT_EQ(parse_kind("dotlock"), Kind::dotlock);
  EXPECT_EQ(status_of([] { parse_kind("lockf"); }), Exit::usage);
}
