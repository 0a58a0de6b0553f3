#pragma once
// Writing to file descriptors, whole.

#include <csignal>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "util/exit_status.hpp"

namespace forumgate::util {

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
