#pragma once
// Locks as mail software takes them, shared by lockrun and mailsplit.
//
//   flock     flock(2) on a lock file (created when missing), as flock(1).
//   fcntl     a POSIX record lock (fcntl F_SETLK) on the whole file, as
//             Postfix, procmail and Dovecot lock mailboxes.
//   dotlock   the file itself is the lock (PATH, made NFS-safe); see dot_lock.hpp.
//   mailbox   what Debian Policy 11.6 and Postfix's Debian default
//             (mailbox_delivery_lock = fcntl, dotlock) do: fcntl on the
//             mailbox, then the dotlock MAILBOX.lock. See mailbox_lock.hpp.
//
// Errors are thrown as forumgate::Error: 73 when a lock file cannot be
// created, 66 when a mailbox is missing or unreadable.

#include <chrono>
#include <memory>
#include <string>

#include "lock/deadline.hpp"

namespace forumgate::lock {

enum class Kind { flock, fcntl, dotlock };

// "flock", "fcntl", "dotlock"; throws Error(usage) for anything else.
Kind parse_kind(const std::string& name);
const char* kind_name(Kind kind);

// Postfix's stale_lock_time; procmail uses 1024 s.
inline constexpr std::chrono::seconds default_stale_age{500};

class Lock {
 public:
  virtual ~Lock() = default;

  // Tries until the deadline; true when the lock is now held, false when
  // somebody else still holds it (or the deadline was cancelled).
  virtual bool acquire(const Deadline& deadline) = 0;
  virtual void release() = 0;
  // Who holds the lock, as best known ("pid 123 (procmail)"), or "".
  virtual std::string holder() const = 0;
  // What is locked, for messages.
  virtual std::string describe() const = 0;
  // Keeps a held lock from looking stale to its peers; a no-op for kernel
  // locks. Call it every refresh_interval() while holding the lock.
  virtual void refresh() {}
  virtual std::chrono::seconds refresh_interval() const { return std::chrono::seconds::zero(); }
};

std::unique_ptr<Lock> make_lock(const std::string& path, Kind kind, std::chrono::seconds stale_age = default_stale_age);
std::unique_ptr<Lock> make_mailbox_lock(const std::string& mailbox, std::chrono::seconds stale_age = default_stale_age);

}  // namespace forumgate::lock
