#pragma once
// Writing to file descriptors, whole.

#include <unistd.h>

#include <csignal>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "util/exit_status.hpp"

namespace forumgate::util {

// An open file descriptor (or none, -1), closed when its owner goes. A
// descriptor written to is closed with close(), which says whether the
// close succeeded: on some file systems it reports a write that failed.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes it now; false (errno set) when close(2) failed.
  bool close() {
    const int fd = std::exchange(fd_, -1);
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

// A read or write that a signal interrupted (EINTR) is tried again, unless
// the program named a flag here (set by its signal handler, see
// process/signals.hpp) and the flag is set: then it fails with EINTR, so
// that a pipe that never ends, or never drains, cannot keep a program that
// was told to stop (and the locks it holds). Every loop in this file, and
// the readers above it that wait on a descriptor, ask stop_requested().
void stop_io_when(const volatile std::sig_atomic_t* flag);
// Whether errno is EINTR and the flag named above is set.
bool stop_requested();

// Appends all that fd has to out (sized up front for a regular file),
// retrying EINTR; false (errno set) on a read error.
bool read_all(int fd, std::string& out);

// The whole file at path; nullopt when there is none (ENOENT, decided by
// open itself). Error(status) "cannot read PATH: reason" otherwise.
std::optional<std::string> read_file(const std::string& path, Exit status = Exit::ioerr);

// The whole of file name, or of standard input for "-". Error(66) when it
// cannot be opened or read, or is a directory.
std::string read_input(const std::string& name);

// A file's permission bits as chmod(1) takes them: "0640".
std::string file_mode(unsigned mode);

// What a file of st_mode mode is, for a message: "a regular file", "a
// directory", "a FIFO", "a socket", "a character device"...
std::string file_kind(unsigned mode);

// Writes all of data, retrying short writes and EINTR; false (errno set)
// on an error.
bool write_fully(int fd, std::string_view data);

// The same, throwing Error(74) "cannot write WHAT: reason" on an error.
void write_all(int fd, std::string_view data, const std::string& what);
// Pieces in order, in one writev(2) when the kernel takes them whole (a
// message and its Return-Path line: one system call, not two).
void write_all(int fd, std::initializer_list<std::string_view> pieces, const std::string& what);

}  // namespace forumgate::util
