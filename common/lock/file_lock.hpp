#pragma once
// A kernel lock on an open file: flock(2), or a POSIX write lock over the
// whole file with fcntl(2). The descriptor is close-on-exec, so a command run
// while the lock is held does not inherit it.
//
// Kernel locks vanish with the process that holds them: there is nothing
// stale to break. A waiting acquire blocks in the kernel, so it gets the lock
// the moment it is released; a timer ends the wait at the deadline.

#include <string>

#include "lock/lock.hpp"
#include "util/fd.hpp"

namespace forumgate::lock {

class FileLock final : public Lock {
 public:
  enum class Api { flock, fcntl };
  enum class Open {
    create,    // a lock file: created when missing (error: 73)
    existing,  // a mailbox: must exist, as a regular file (error: 66)
  };

  FileLock(std::string path, Api api, Open open);
  ~FileLock() override;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool try_acquire();
  bool acquire(const Deadline& deadline) override;
  void release() override;
  std::string holder() const override;
  std::string describe() const override;

  int fd() const { return fd_.get(); }

 private:
  int lock_call(bool wait);
  void refuse_what_is_no_mailbox();

  std::string path_;
  Api api_;
  util::Fd fd_;
  bool held_ = false;
};

}  // namespace forumgate::lock
