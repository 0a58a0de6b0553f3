#include "lock/dot_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "cli/log.hpp"
#include "lock/holder.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::lock {
namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string hostname() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  std::string h(host);
  for (char& c : h)
    if (c == '/' || c == '.') c = '_';
  return h.substr(0, 64);
}

// ".NAME.HOST.PID.SEC.USEC.N" beside the lock: unique across hosts sharing
// the directory over NFS, processes, and attempts within one process.
std::string unique_name(const std::string& lock_path) {
  static std::atomic<unsigned> counter{0};
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::string dir = dir_of(lock_path);
  return (dir == "/" ? "" : dir) + "/." + base_of(lock_path).substr(0, 64) + "." + hostname() + "." +
         std::to_string(getpid()) + "." + std::to_string(tv.tv_sec) + "." + std::to_string(tv.tv_usec) + "." +
         std::to_string(counter++);
}

// The holder's pid, as liblockfile writes it: a peer can say who holds the
// lock, and we can tell our lock from a new one on a reused inode.
std::string contents() { return std::to_string(getpid()) + "\n"; }

// The unique file, unlinked whatever happens.
class TempLink {
 public:
  explicit TempLink(const std::string& lock_path) : path_(unique_name(lock_path)) {
    fd_ = util::Fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644));
    if (!fd_.valid()) {
      throw system_error(Exit::cantcreat, "cannot create a lock file in " + dir_of(lock_path));
    }
    if (!util::write_fully(fd_.get(), contents())) {
      int err = errno;
      remove();
      throw system_error(Exit::cantcreat, "cannot write a lock file in " + dir_of(lock_path), err);
    }
  }
  ~TempLink() { remove(); }
  void remove() {
    if (!fd_.valid()) return;
    fd_.close();
    ::unlink(path_.c_str());
  }
  TempLink(const TempLink&) = delete;
  TempLink& operator=(const TempLink&) = delete;

  const std::string& path() const { return path_; }
  struct stat status() const {
    struct stat st {};
    if (fstat(fd_.get(), &st) != 0) throw system_error(Exit::ioerr, "cannot stat " + path_);
    return st;
  }

 private:
  std::string path_;
  util::Fd fd_;
};

// File systems without hard links (vfat, some FUSE): link() fails with one of
// these, and O_EXCL is the best there is.
bool no_hard_links(int err) { return err == EPERM || err == EOPNOTSUPP || err == ENOSYS || err == EMLINK; }

}  // namespace

DotLock::DotLock(std::string path, std::chrono::seconds stale_age) : path_(std::move(path)), stale_age_(stale_age) {}

DotLock::~DotLock() { release(); }

void DotLock::break_if_stale(time_t fs_now) {
  struct stat st {};
  if (lstat(path_.c_str(), &st) != 0) return;
  const time_t age = fs_now - st.st_mtime;
  if (age <= stale_age_.count()) return;
  // As procmail and Postfix do, with their race: two processes that both
  // find the same lock stale may both unlink, the second removing the new
  // lock the first just made. It needs a lock already abandoned for the
  // whole stale age; for mailboxes the fcntl lock taken first still keeps
  // the two apart.
  if (::unlink(path_.c_str()) == 0) {
    log::notice("removed stale lock " + path_ + " (" + std::to_string(age) + " s old)");
  }
}

bool DotLock::try_acquire() {
  if (held_) return true;
  TempLink temp(path_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    int link_errno = ::link(temp.path().c_str(), path_.c_str()) == 0 ? 0 : errno;
    struct stat st = temp.status();
    if (st.st_nlink == 2) {
      held_ = true;
      remember_identity();
      return true;
    }
    if (no_hard_links(link_errno)) {
      util::Fd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd.valid()) {
        const bool written = util::write_fully(fd.get(), contents()) && fd.close();
        if (!written) {
          ::unlink(path_.c_str());
          throw system_error(Exit::cantcreat, "cannot write lock " + path_);
        }
        held_ = true;
        remember_identity();
        return true;
      }
      link_errno = errno;
    }
    if (link_errno != 0 && link_errno != EEXIST) {
      throw system_error(Exit::cantcreat, "cannot create lock " + path_, link_errno);
    }
    if (attempt == 0) break_if_stale(st.st_mtime);
  }
  return false;
}

bool DotLock::acquire(const Deadline& deadline) {
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    if (try_acquire()) return true;
    if (deadline.passed()) return false;
    deadline.sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

void DotLock::remember_identity() {
  struct stat st {};
  if (lstat(path_.c_str(), &st) != 0) throw system_error(Exit::ioerr, "cannot stat " + path_);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
}

bool DotLock::still_ours() const {
  const util::Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) return false;
  struct stat st {};
  char buf[32];
  const ssize_t n = fstat(fd.get(), &st) == 0 ? ::read(fd.get(), buf, sizeof buf) : -1;
  return st.st_dev == dev_ && st.st_ino == ino_ && n >= 0 &&
         std::string_view(buf, static_cast<size_t>(n)) == contents();
}

void DotLock::release() {
  if (!held_) return;
  held_ = false;
  if (!still_ours()) {
    if (access(path_.c_str(), F_OK) != 0) {
      log::warning("lock " + path_ + " vanished while we held it");
    } else {
      log::warning("lock " + path_ + " was taken over by another process; left in place");
    }
    return;
  }
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    log::warning("cannot remove lock " + path_ + ": " + std::strerror(errno));
  }
}

void DotLock::refresh() {
  if (!held_ || !still_ours()) return;
  utimensat(AT_FDCWD, path_.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
}

std::chrono::seconds DotLock::refresh_interval() const { return std::max(std::chrono::seconds(1), stale_age_ / 3); }

std::string DotLock::holder() const {
  const util::Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return {};
  char buf[32] = {};
  const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
  struct stat st {};
  fstat(fd.get(), &st);
  // procmail writes "0", dotlockfile without -p "0\n": no pid to name then.
  long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
  std::string age = std::to_string(std::max<time_t>(0, time(nullptr) - st.st_mtime));
  return (pid > 0 ? describe_pid(static_cast<pid_t>(pid)) + ", " : std::string()) + "lock made " + age + " s ago";
}

}  // namespace forumgate::lock
