#include "lock/lock.hpp"

#include "lock/dot_lock.hpp"
#include "lock/file_lock.hpp"
#include "lock/mailbox_lock.hpp"
#include "util/error.hpp"

namespace forumgate::lock {

Kind parse_kind(const std::string& name) {
  if (name == "flock") return Kind::flock;
  if (name == "fcntl") return Kind::fcntl;
  if (name == "dotlock") return Kind::dotlock;
  throw Error(Exit::usage, "unknown lock kind '" + name + "' (flock, fcntl or dotlock)");
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::flock: return "flock";
    case Kind::fcntl: return "fcntl";
    case Kind::dotlock: return "dotlock";
  }
  return "?";
}

std::unique_ptr<Lock> make_lock(const std::string& path, Kind kind, std::chrono::seconds stale_age) {
  switch (kind) {
    case Kind::flock: return std::make_unique<FileLock>(path, FileLock::Api::flock, FileLock::Open::create);
    case Kind::fcntl: return std::make_unique<FileLock>(path, FileLock::Api::fcntl, FileLock::Open::create);
    case Kind::dotlock: return std::make_unique<DotLock>(path, stale_age);
  }
  throw Error(Exit::software, "unknown lock kind");
}

std::unique_ptr<Lock> make_mailbox_lock(const std::string& mailbox, std::chrono::seconds stale_age) {
  return std::make_unique<MailboxLock>(mailbox, stale_age);
}

}  // namespace forumgate::lock
