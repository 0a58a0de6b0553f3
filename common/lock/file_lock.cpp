#include "lock/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>

#include "lock/holder.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::lock {
namespace {

void on_alarm(int) {}

// Interrupts a blocking lock call at the deadline, as flock(1) does: SIGALRM
// without SA_RESTART makes the call fail with EINTR. The timer repeats every
// 10 ms after the first expiry, so an expiry that fires just before the call
// blocks cannot leave it blocked for ever. Restores what it replaced.
class AlarmTimer {
 public:
  explicit AlarmTimer(std::chrono::nanoseconds first) {
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old_action_);
    itimerval it{};
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(first).count();
    if (us < 1) us = 1;
    it.it_value.tv_sec = static_cast<time_t>(us / 1'000'000);
    it.it_value.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
    it.it_interval.tv_usec = 10'000;
    setitimer(ITIMER_REAL, &it, &old_timer_);
  }
  ~AlarmTimer() {
    setitimer(ITIMER_REAL, &old_timer_, nullptr);
    sigaction(SIGALRM, &old_action_, nullptr);
  }
  AlarmTimer(const AlarmTimer&) = delete;
  AlarmTimer& operator=(const AlarmTimer&) = delete;

 private:
  struct sigaction old_action_ {};
  itimerval old_timer_{};
};

bool busy(int err) { return err == EWOULDBLOCK || err == EAGAIN || err == EACCES; }

}  // namespace

FileLock::FileLock(std::string path, Api api, Open open) : path_(std::move(path)), api_(api) {
  // A mailbox is opened without waiting (a FIFO's open would wait for a
  // writer), then refused unless it is a regular file.
  const int flags = O_RDWR | O_CLOEXEC | O_NOCTTY | (open == Open::create ? O_CREAT : O_NONBLOCK);
  int fd = ::open(path_.c_str(), flags, 0666);
  if (fd < 0 && errno == EISDIR && api_ == Api::flock) {
    // flock(1) locks directories too; a read-only descriptor is enough.
    fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  }
  if (fd < 0 && (errno == EACCES || errno == EROFS) && api_ == Api::flock) {
    // flock(2) needs no write access: an existing read-only lock file serves.
    fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) errno = EACCES;
  }
  if (fd < 0) {
    if (open == Open::existing) throw system_error(Exit::noinput, "mailbox " + path_);
    throw system_error(Exit::cantcreat, "cannot open lock file " + path_);
  }
  fd_ = util::Fd(fd);
  if (open == Open::existing) refuse_what_is_no_mailbox();
}

// A mailbox is read to its end under the lock: a FIFO (opened read-write it
// never ends), a device (/dev/zero never ends either), a socket is none,
// even when it took a regular file's place after the caller looked.
void FileLock::refuse_what_is_no_mailbox() {
  struct stat st {};
  if (fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    fcntl(fd_.get(), F_SETFL, fcntl(fd_.get(), F_GETFL) & ~O_NONBLOCK);
    return;
  }
  fd_.close();
  throw Error(Exit::noinput, "mailbox " + path_ + " is " + util::file_kind(st.st_mode) + ", not a regular file");
}

FileLock::~FileLock() {
  fd_.close();  // closing releases both kinds of lock
}

int FileLock::lock_call(bool wait) {
  if (api_ == Api::flock) return ::flock(fd_.get(), LOCK_EX | (wait ? 0 : LOCK_NB));
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file, however it grows
  return ::fcntl(fd_.get(), wait ? F_SETLKW : F_SETLK, &fl);
}

bool FileLock::try_acquire() {
  if (held_) return true;
  if (lock_call(false) == 0) return held_ = true;
  if (busy(errno)) return false;
  throw system_error(Exit::ioerr, "cannot lock " + path_);
}

bool FileLock::acquire(const Deadline& deadline) {
  if (try_acquire()) return true;
  if (deadline.passed()) return false;
  std::optional<AlarmTimer> timer;
  if (!deadline.is_never()) timer.emplace(deadline.remaining(std::chrono::hours(24 * 365)));
  for (;;) {
    if (lock_call(true) == 0) return held_ = true;
    if (errno == EINTR) {
      if (deadline.passed()) return false;
      continue;
    }
    if (errno == EDEADLK) throw system_error(Exit::tempfail, "cannot lock " + path_);
    throw system_error(Exit::ioerr, "cannot lock " + path_);
  }
}

void FileLock::release() {
  if (!held_) return;
  if (api_ == Api::flock) {
    ::flock(fd_.get(), LOCK_UN);
  } else {
    struct flock fl {};
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    ::fcntl(fd_.get(), F_SETLK, &fl);
  }
  held_ = false;
}

std::string FileLock::holder() const {
  pid_t pid = kernel_lock_holder(fd_.get());
  return pid > 0 ? describe_pid(pid) : std::string();
}

std::string FileLock::describe() const { return path_ + (api_ == Api::flock ? " (flock)" : " (fcntl)"); }

}  // namespace forumgate::lock
