#pragma once
// A dotlock: the lock is the existence of a file (PATH, by convention
// MAILBOX.lock), as procmail, Postfix, mutt and liblockfile make it.
//
// Taking it is NFS-safe, by the link() trick of liblockfile and Postfix: a
// unique file (host, pid, time, counter) is made in the same directory and
// hard-linked to PATH; the lock is ours when that file's link count is then
// 2, whatever link() returned, since over NFS link() may report a failure
// that happened or a success that did not.
//
// A lock older than the stale age is broken (with a notice): its holder died
// without removing it. Its age is judged by the file system's clock, read off
// our own new file, not by this host's clock. While we hold the lock,
// refresh() touches it so our peers do not think it stale.
//
// release() removes the lock only when it is still the file we made; if a
// peer broke it and another took it, that lock is left alone.

#include <sys/types.h>

#include <string>

#include "lock/lock.hpp"

namespace forumgate::lock {

class DotLock final : public Lock {
 public:
  DotLock(std::string path, std::chrono::seconds stale_age);
  ~DotLock() override;
  DotLock(const DotLock&) = delete;
  DotLock& operator=(const DotLock&) = delete;

  // One attempt, breaking a stale lock on the way. Throws Error(73) when no
  // file can be made in the lock's directory.
  bool try_acquire();
  // Attempts with growing pauses (10 ms up to 1 s) until the deadline.
  bool acquire(const Deadline& deadline) override;
  void release() override;
  std::string holder() const override;
  std::string describe() const override { return path_ + " (dotlock)"; }
  void refresh() override;
  std::chrono::seconds refresh_interval() const override;

  const std::string& path() const { return path_; }
  bool held() const { return held_; }

 private:
  bool still_ours() const;
  void remember_identity();
  void break_if_stale(time_t fs_now);

  std::string path_;
  std::chrono::seconds stale_age_;
  bool held_ = false;
  // Our lock file, known by device, inode and the pid we wrote in it: an
  // inode number alone can be reused by a new lock made right after ours was
  // broken, and a new lock of a peer holds its pid, not ours.
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace forumgate::lock
