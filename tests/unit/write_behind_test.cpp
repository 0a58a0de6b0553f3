#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "spool/write_behind.hpp"
#include "temp_dir.hpp"
#include "util/error.hpp"

using namespace forumgate::spool;
namespace fs = std::filesystem;

namespace {
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
// A message of size bytes whose content tells where it is: a byte out of
// place shows.
std::string message(size_t number, size_t size) {
  std::string m = "Subject: " + std::to_string(number) + "\n\n";
  while (m.size() < size) m += static_cast<char>('a' + (m.size() * 7 + number) % 26);
  m.resize(size);
  return m;
}
// A directory to make files in, as the sinks do.
class Dir {
 public:
  Dir() : fd_(::open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}
  ~Dir() { ::close(fd_); }
  WriteBehind::NewFile file(const std::string& name, std::string_view advice = {}) const {
    return {fd_, name, dir_ / name, advice};
  }
  std::string operator/(const std::string& name) const { return dir_ / name; }

 private:
  forumgate::test::TempDir dir_;
  int fd_;
};
// Files may be at most limit bytes (RLIMIT_FSIZE): a write past it fails
// with EFBIG, as a full disk fails with ENOSPC, without a small file system.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t limit) {
    getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit r = old_;
    r.rlim_cur = limit;
    setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};
}  // namespace

// Small messages (copied), larger ones (their strings taken) and one too
// large to hand over (written at once), each lying inside its owner with
// bytes before and after it: every file gets exactly its message, and an
// owner is left holding a usable string.
TEST(WriteBehind, EveryFileGetsExactlyItsMessage) {
  Dir dir;
  const size_t sizes[] = {10, 3000, 70'000, 1'500'000, 4'500'000, 65'536, 65'537, 0};
  std::vector<std::string> expected;
  {
    WriteBehind writes(WriteBehind::Thread::always);
    std::string buffer;  // reused, as the mbox reader reuses its own
    for (size_t i = 0; i < 80; ++i) {
      const size_t size = sizes[i % std::size(sizes)];
      buffer = "junk before" + message(i, size) + "junk after";
      std::string_view data = std::string_view(buffer).substr(11, size);
      const std::string prefix = i % 3 ? "" : "Return-Path: <" + std::to_string(i) + "@example.org>\n";
      expected.push_back(prefix + message(i, size));
      writes.write(dir.file(std::to_string(i)), prefix, data, &buffer);
      buffer.assign("scribbled over");  // the caller's string is its own again
    }
    writes.finish();
    EXPECT_EQ(writes.take_created().size(), 80u);
    EXPECT_TRUE(writes.take_created().empty());
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(slurp(dir / std::to_string(i)), expected[i]) << "message " << i;
  }
}

// A string with room for far more than its message (the mbox reader
// reserves the rest of the file for a message past 1 MiB, and its pages
// from an earlier, larger message stay) is never taken: the writer would
// hold all that room while the reader fills a new string. Its message is
// copied instead, and the string stays with its owner. A string with
// little room is taken.
TEST(WriteBehind, AStringWithMuchRoomIsNotTaken) {
  Dir dir;
  WriteBehind writes(WriteBehind::Thread::always);
  std::string roomy;
  roomy.reserve(size_t{100} << 20);
  roomy.assign(message(1, 2'000'000).c_str(), 2'000'000);  // into the room, not a new string
  const char* const roomy_bytes = roomy.data();
  writes.write(dir.file("roomy"), "", roomy, &roomy);
  EXPECT_EQ(roomy.data(), roomy_bytes);
  EXPECT_GE(roomy.capacity(), size_t{100} << 20);
  EXPECT_EQ(roomy, message(1, 2'000'000));
  std::string lean = message(2, 2'000'000);
  const char* const lean_bytes = lean.data();
  writes.write(dir.file("lean"), "", lean, &lean);
  EXPECT_NE(lean.data(), lean_bytes);  // taken; another string left in its place
  writes.finish();
  EXPECT_EQ(slurp(dir / "roomy"), message(1, 2'000'000));
  EXPECT_EQ(slurp(dir / "lean"), message(2, 2'000'000));
}

// Without an owner a large message cannot be taken: it is written before
// write() returns, so the caller may change its bytes at once.
TEST(WriteBehind, ALargeMessageWithoutOwnerIsWrittenAtOnce) {
  Dir dir;
  WriteBehind writes(WriteBehind::Thread::always);
  std::string data = message(1, 200'000);
  const std::string expected = data;
  writes.write(dir.file("m"), "", data);
  data.assign(data.size(), 'x');
  writes.finish();
  EXPECT_EQ(slurp(dir / "m"), expected);
}

// A file of that name is there already (an earlier run's, maybe the only
// copy of a message): it is not written over, the caller hears so, and it
// is not among the files made, so a rollback leaves it alone.
TEST(WriteBehind, AFileThatIsThereIsNeitherWrittenNorCountedAsMade) {
  Dir dir;
  std::ofstream(dir / "0002") << "precious";
  WriteBehind writes(WriteBehind::Thread::always);
  std::string m;
  try {
    for (int i = 1; i <= 3; ++i) {
      m = message(static_cast<size_t>(i), 100'000);
      writes.write(dir.file("000" + std::to_string(i), "number on"), "", m, &m);
    }
    writes.finish();
    FAIL() << "no error for a file that is there already";
  } catch (const forumgate::Error& e) {
    EXPECT_EQ(e.status(), forumgate::Exit::cantcreat);
    EXPECT_EQ(std::string(e.what()), (dir / "0002") + " exists already: number on");
  }
  writes.settle();
  const std::vector<std::string> made = writes.take_created();
  EXPECT_EQ(std::count(made.begin(), made.end(), "0001"), 1);
  EXPECT_EQ(std::count(made.begin(), made.end(), "0002"), 0);
  EXPECT_EQ(slurp(dir / "0002"), "precious");
}

// A write that fails on the writer's thread (a file past RLIMIT_FSIZE, as
// on a full disk): finish() throws it (74, with the file's name), and so
// does every write() and finish() after it, making no more files, until
// settle() forgets it.
TEST(WriteBehind, AFailedWriteIsThrownUntilSettled) {
  Dir dir;
  const size_t before = open_descriptors();
  WriteBehind writes(WriteBehind::Thread::always);
  {
    FileSizeLimit limit(50'000);
    std::string owner = message(0, 100'000);  // large enough to be taken, not copied: written later
    writes.write(dir.file("big"), "", owner, &owner);
    try {
      writes.finish();
      FAIL() << "finish() did not throw the failed write";
    } catch (const forumgate::Error& e) {
      EXPECT_EQ(e.status(), forumgate::Exit::ioerr);
      EXPECT_EQ(std::string(e.what()), "cannot write " + (dir / "big") + ": File too large");
    }
  }
  std::string small = message(1, 100);
  EXPECT_THROW(writes.write(dir.file("after"), "", small, &small), forumgate::Error);
  EXPECT_FALSE(fs::exists(dir / "after"));
  EXPECT_THROW(writes.finish(), forumgate::Error);
  EXPECT_EQ(writes.take_created(), std::vector<std::string>{"big"});
  writes.settle();
  EXPECT_NO_THROW(writes.finish());
  writes.write(dir.file("again"), "", small, &small);
  writes.finish();
  EXPECT_EQ(slurp(dir / "again"), message(1, 100));
  EXPECT_EQ(open_descriptors(), before);
}

// The failure reaches the caller by its next write() too, not only by
// finish(): a caller that splits a long mbox stops soon after the disk is
// full, instead of reading the rest for nothing.
TEST(WriteBehind, ALaterWriteThrowsTheFailure) {
  Dir dir;
  WriteBehind writes(WriteBehind::Thread::always);
  FileSizeLimit limit(50'000);
  std::string owner = message(0, 100'000);
  writes.write(dir.file("big"), "", owner, &owner);
  bool thrown = false;
  for (int i = 0; i < 5000 && !thrown; ++i) {
    std::string small = message(static_cast<size_t>(i), 100);
    try {
      writes.write(dir.file(std::to_string(i)), "", small, &small);
    } catch (const forumgate::Error& e) {
      thrown = true;
      EXPECT_EQ(std::string(e.what()), "cannot write " + (dir / "big") + ": File too large");
    }
    usleep(1000);
  }
  EXPECT_TRUE(thrown) << "no write() reported the failure in 5 seconds";
  writes.settle();
}

// The destructor writes what is still queued and closes every descriptor.
TEST(WriteBehind, WhatIsQueuedIsWrittenByTheDestructor) {
  Dir dir;
  const size_t before = open_descriptors();
  {
    WriteBehind writes(WriteBehind::Thread::always);
    for (size_t i = 0; i < 50; ++i) {
      std::string m = message(i, 20'000);
      writes.write(dir.file(std::to_string(i)), "", m, &m);
    }
  }
  EXPECT_EQ(open_descriptors(), before);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(slurp(dir / std::to_string(i)), message(i, 20'000));
}
