#pragma once
// A mailbox locked the way the MTA locks it for delivery: fcntl on the
// mailbox, then the dotlock MAILBOX.lock (Debian Policy 11.6; Postfix's
// Debian default mailbox_delivery_lock = fcntl, dotlock; procmail takes the
// same two).
//
// Both are taken together or not at all: while waiting it holds neither,
// like Postfix's deliver_lock_attempts loop, so a peer that takes them in
// the other order (procmail: dotlock first) cannot deadlock with us.

#include <string>

#include "lock/dot_lock.hpp"
#include "lock/file_lock.hpp"

namespace forumgate::lock {

class MailboxLock final : public Lock {
 public:
  // Throws Error(66) when the mailbox is missing or unreadable.
  MailboxLock(const std::string& mailbox, std::chrono::seconds stale_age);

  bool try_acquire();
  bool acquire(const Deadline& deadline) override;
  void release() override;
  std::string holder() const override;
  std::string describe() const override { return mailbox_ + " (fcntl + dotlock)"; }
  void refresh() override { dot_.refresh(); }
  std::chrono::seconds refresh_interval() const override { return dot_.refresh_interval(); }

  // The mailbox's descriptor (open read-write), for the caller to read and
  // truncate under the lock: fcntl locks belong to the process and vanish
  // when any descriptor of the file is closed, so use this one.
  int fd() const { return kernel_.fd(); }

 private:
  std::string mailbox_;
  FileLock kernel_;
  DotLock dot_;
  bool dot_was_busy_ = false;
};

}  // namespace forumgate::lock
