#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/error.hpp"
#include "spool/write_behind.hpp"
#include "temp_dir.hpp"

using namespace forumgate::spool;
namespace fs = std::filesystem;

namespace {
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
int create(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  return fd;
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
}  // namespace

// Small messages (copied), larger ones (their strings taken) and one too
// large to hand over (written at once), each lying inside its owner with
// bytes before and after it: every file gets exactly its message, and an
// owner is left holding a usable string.
TEST(WriteBehind, EveryFileGetsExactlyItsMessage) {
  forumgate::test::TempDir dir;
  const size_t sizes[] = {10, 3000, 70'000, 1'500'000, 4'500'000, 65'536, 65'537, 0};
  std::vector<std::string> expected;
  {
    WriteBehind writes;
    std::string buffer;  // reused, as the mbox reader reuses its own
    for (size_t i = 0; i < 80; ++i) {
      const size_t size = sizes[i % std::size(sizes)];
      buffer = "junk before" + message(i, size) + "junk after";
      std::string_view data = std::string_view(buffer).substr(11, size);
      const std::string prefix = i % 3 ? "" : "Return-Path: <" + std::to_string(i) + "@example.org>\n";
      expected.push_back(prefix + message(i, size));
      const std::string path = dir / std::to_string(i);
      writes.write(create(path), path, prefix, data, &buffer);
      buffer.assign("scribbled over");  // the caller's string is its own again
    }
    writes.finish();
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(slurp(dir / std::to_string(i)), expected[i]) << "message " << i;
  }
}

// Without an owner a large message cannot be taken: it is written before
// write() returns, so the caller may change its bytes at once.
TEST(WriteBehind, ALargeMessageWithoutOwnerIsWrittenAtOnce) {
  forumgate::test::TempDir dir;
  WriteBehind writes;
  std::string data = message(1, 200'000);
  const std::string expected = data;
  writes.write(create(dir / "m"), dir / "m", "", data);
  data.assign(data.size(), 'x');
  writes.finish();
  EXPECT_EQ(slurp(dir / "m"), expected);
}

// A full disk (/dev/full) on the writer's thread: finish() throws it (74,
// with the file's name), and so does every write() and finish() after it,
// closing the descriptor it was given, until settle() forgets it.
TEST(WriteBehind, AFailedWriteIsThrownUntilSettled) {
  forumgate::test::TempDir dir;
  const size_t before = open_descriptors();
  WriteBehind writes;
  std::string owner = message(0, 100'000);  // large enough to be taken, not copied: written later
  int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0);
  writes.write(full, "the full disk", "", owner, &owner);
  try {
    writes.finish();
    FAIL() << "finish() did not throw the failed write";
  } catch (const forumgate::Error& e) {
    EXPECT_EQ(e.status(), forumgate::Exit::ioerr);
    EXPECT_NE(std::string(e.what()).find("cannot write the full disk: No space left"), std::string::npos)
        << e.what();
  }
  std::string small = message(1, 100);
  EXPECT_THROW(writes.write(create(dir / "after"), dir / "after", "", small, &small), forumgate::Error);
  EXPECT_THROW(writes.finish(), forumgate::Error);
  EXPECT_EQ(open_descriptors(), before + 0);
  writes.settle();
  EXPECT_NO_THROW(writes.finish());
  writes.write(create(dir / "again"), dir / "again", "", small, &small);
  writes.finish();
  EXPECT_EQ(slurp(dir / "again"), message(1, 100));
  EXPECT_EQ(open_descriptors(), before);
}

// The failure reaches the caller by its next write() too, not only by
// finish(): a caller that splits a long mbox stops soon after the disk is
// full, instead of reading the rest for nothing.
TEST(WriteBehind, ALaterWriteThrowsTheFailure) {
  forumgate::test::TempDir dir;
  WriteBehind writes;
  std::string owner = message(0, 100'000);
  writes.write(::open("/dev/full", O_WRONLY | O_CLOEXEC), "the full disk", "", owner, &owner);
  bool thrown = false;
  for (int i = 0; i < 5000 && !thrown; ++i) {
    std::string small = message(static_cast<size_t>(i), 100);
    const std::string path = dir / std::to_string(i);
    try {
      writes.write(create(path), path, "", small, &small);
    } catch (const forumgate::Error& e) {
      thrown = true;
      EXPECT_NE(std::string(e.what()).find("cannot write the full disk"), std::string::npos) << e.what();
    }
    usleep(1000);
  }
  EXPECT_TRUE(thrown) << "no write() reported the failure in 5 seconds";
  writes.settle();
}

// The destructor writes what is still queued and closes every descriptor.
TEST(WriteBehind, WhatIsQueuedIsWrittenByTheDestructor) {
  forumgate::test::TempDir dir;
  const size_t before = open_descriptors();
  {
    WriteBehind writes;
    for (size_t i = 0; i < 50; ++i) {
      std::string m = message(i, 20'000);
      writes.write(create(dir / std::to_string(i)), dir / std::to_string(i), "", m, &m);
    }
  }
  EXPECT_EQ(open_descriptors(), before);
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(slurp(dir / std::to_string(i)), message(i, 20'000));
}
