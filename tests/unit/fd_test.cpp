// util::read_all: whole files and pipes, whatever their size.
#include "util/fd.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "temp_dir.hpp"

using forumgate::util::read_all;
using forumgate::util::read_input;
using forumgate::util::write_fully;

namespace {

std::string bytes(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>(i * 131 + i / 7);
  return s;
}

}  // namespace

TEST(ReadAll, RegularFilesOfEverySizeWhole) {
  forumgate::test::TempDir dir;
  for (size_t size : {0, 1, 4095, 16384, 16385, 65536, 100000, 1000000}) {
    std::string data = bytes(size);
    std::string path = dir / ("f" + std::to_string(size));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(write_fully(fd, data));
    ::close(fd);
    EXPECT_EQ(read_input(path), data) << size;
    fd = ::open(path.c_str(), O_RDONLY);
    std::string out = "kept:";
    ASSERT_TRUE(read_all(fd, out));
    ::close(fd);
    EXPECT_EQ(out, "kept:" + data) << size;
  }
}

TEST(ReadAll, PipesOfEverySizeWhole) {
  for (size_t size : {0, 1, 16384, 16385, 81920, 300000}) {
    std::string data = bytes(size);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::thread writer([&] {
      write_fully(fds[1], data);
      ::close(fds[1]);
    });
    std::string out;
    EXPECT_TRUE(read_all(fds[0], out));
    writer.join();
    ::close(fds[0]);
    EXPECT_EQ(out, data) << size;
  }
}
