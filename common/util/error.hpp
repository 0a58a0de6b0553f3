#pragma once
// Errors a user can act on. The library throws them with the exit status they
// stand for; only a tool's main turns them into a message and that status.

#include <cerrno>
#include <stdexcept>
#include <string>

#include "util/exit_status.hpp"

namespace forumgate {

class Error : public std::runtime_error {
 public:
  Error(Exit status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Exit status() const noexcept { return status_; }

 private:
  Exit status_;
};

// "WHAT: strerror(errnum)", for a failed system call.
Error system_error(Exit status, const std::string& what, int errnum = errno);

}  // namespace forumgate
