#include "lock/mailbox_lock.hpp"

namespace forumgate::lock {

MailboxLock::MailboxLock(const std::string& mailbox, std::chrono::seconds stale_age)
    : mailbox_(mailbox),
      kernel_(mailbox, FileLock::Api::fcntl, FileLock::Open::existing),
      dot_(mailbox + ".lock", stale_age) {}

bool MailboxLock::try_acquire() {
  dot_was_busy_ = false;
  if (!kernel_.try_acquire()) return false;
  if (dot_.try_acquire()) return true;
  dot_was_busy_ = true;
  kernel_.release();
  return false;
}

bool MailboxLock::acquire(const Deadline& deadline) {
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    if (try_acquire()) return true;
    if (deadline.passed()) return false;
    deadline.sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

void MailboxLock::release() {
  dot_.release();  // the reverse order of taking them
  kernel_.release();
}

std::string MailboxLock::holder() const {
  if (dot_was_busy_) return dot_.holder();
  return kernel_.holder();
}

}  // namespace forumgate::lock
