#include "util/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>

#include <cerrno>
#include <cstdio>

#include "util/error.hpp"

namespace forumgate::util {
namespace {
const volatile std::sig_atomic_t* stop_flag = nullptr;
}

void stop_io_when(const volatile std::sig_atomic_t* flag) { stop_flag = flag; }

bool stop_requested() { return errno == EINTR && stop_flag != nullptr && *stop_flag != 0; }

bool read_all(int fd, std::string& out) {
  struct stat st;
  size_t got = out.size();
  // One byte more than the file: the read that finds its end needs room,
  // or it would grow (and copy) the whole string just to read nothing.
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    out.resize(got + static_cast<size_t>(st.st_size) + 1);
  for (;;) {
    if (got == out.size()) {
      // Full (the size fstat gave, or a pipe's last chunk): the next read,
      // the one that mostly finds the end, goes into a small buffer.
      // Growing the string for it would zero 64 KB and copy the whole file
      // each time, for each message mimeparse reads.
      char chunk[16384];
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR && !stop_requested()) continue;
      if (n < 0) return false;
      if (n == 0) break;
      out.append(chunk, static_cast<size_t>(n));
      got += static_cast<size_t>(n);
      if (static_cast<size_t>(n) == sizeof chunk) out.resize(got + 65536);  // more is coming: read it in place
      continue;
    }
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR && !stop_requested()) continue;
    if (n < 0) {
      int err = errno;
      out.resize(got);
      errno = err;
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return true;
}

std::optional<std::string> read_file(const std::string& path, Exit status) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) throw system_error(status, "cannot read " + path);
  std::string data;
  bool ok = read_all(fd, data);
  int err = errno;
  ::close(fd);
  if (!ok) throw system_error(status, "cannot read " + path, err);
  return data;
}

std::string read_input(const std::string& name) {
  int fd = name == "-" ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw system_error(Exit::noinput, "cannot open " + name);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (fd != STDIN_FILENO) ::close(fd);
    throw Error(Exit::noinput, "cannot read " + name + ": it is a directory");
  }
  std::string data;
  bool ok = read_all(fd, data);
  int err = errno;
  if (fd != STDIN_FILENO) ::close(fd);
  if (!ok) throw system_error(Exit::noinput, "cannot read " + name, err);
  return data;
}

bool write_fully(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR && !stop_requested()) continue;
    if (n < 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void write_all(int fd, std::string_view data, const std::string& what) {
  if (!write_fully(fd, data)) throw system_error(Exit::ioerr, "cannot write " + what);
}

void write_all(int fd, std::initializer_list<std::string_view> pieces, const std::string& what) {
  std::array<iovec, 4> iov{};
  if (pieces.size() > iov.size()) {
    for (auto p : pieces) write_all(fd, p, what);
    return;
  }
  size_t n = 0;
  for (auto p : pieces) {
    if (!p.empty()) iov[n++] = {const_cast<char*>(p.data()), p.size()};
  }
  iovec* at = iov.data();
  while (n > 0) {
    ssize_t done = ::writev(fd, at, static_cast<int>(n));
    if (done < 0 && errno == EINTR && !stop_requested()) continue;
    if (done < 0) throw system_error(Exit::ioerr, "cannot write " + what);
    auto left = static_cast<size_t>(done);
    while (n > 0 && left >= at->iov_len) {  // a short write: on from where it stopped
      left -= at->iov_len;
      ++at;
      --n;
    }
    if (n > 0) {
      at->iov_base = static_cast<char*>(at->iov_base) + left;
      at->iov_len -= left;
    }
  }
}

std::string file_mode(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

std::string file_kind(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
    default: return "not a regular file";
  }
}

}  // namespace forumgate::util
