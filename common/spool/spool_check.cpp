#include "spool/spool_check.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "spool/from_line.hpp"
#include "spool/imap_source.hpp"
#include "spool/pop3_source.hpp"
#include "spool/remote_session.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

namespace forumgate::spool {
namespace {

// A worker thread's descriptors from this number on are closed together
// at the end of its chunk (see Worker); -1: each when its scope ends.
thread_local int closed_together_from = -1;

// Closes a descriptor when the scope ends, unless its worker closes the
// chunk's descriptors together (util::Fd would close it twice then).
class ChunkFd {
 public:
  explicit ChunkFd(int fd) : fd_(fd) {}
  ~ChunkFd() {
    if (fd_ >= 0 && closed_together_from < 0) close(fd_);
  }
  ChunkFd(const ChunkFd&) = delete;
  ChunkFd& operator=(const ChunkFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// "SPOOL: [DOING: ]strerror".
SpoolError errno_error(const std::string& spool, int errnum, const std::string& doing = "") {
  return SpoolError(errnum == EACCES || errnum == EPERM ? Exit::noperm : Exit::noinput, spool,
                    (doing.empty() ? "" : doing + ": ") + std::strerror(errnum));
}

// A local spool's path, relative to a directory: the directory all the
// spools of a long list share, so that the kernel walks only the rest of
// each path; or AT_FDCWD and the spool's name as given.
struct Place {
  int dir;
  const char* path;
};

Place as_named(const std::string& spool) { return {AT_FDCWD, spool.c_str()}; }

int open_new(Place at) {
  return openat(at.dir, (std::string(at.path) + "/new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

// Reads new/ with getdents64(2) into a buffer on the stack: no DIR to
// allocate, and the first message ends the read when only presence counts.
SpoolState read_new(int dir, const std::string& spool, Detail detail) {
  SpoolState state{SpoolType::maildir, false, 0};
  alignas(8) std::array<char, 32 * 1024> buf;
  constexpr size_t name_at = offsetof(struct dirent64, d_name);
  constexpr size_t reclen_at = offsetof(struct dirent64, d_reclen);
  for (;;) {
    ssize_t n = getdents64(dir, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errno_error(spool, errno, "cannot read new/");
    }
    if (n == 0) return state;
    for (size_t at = 0; at < static_cast<size_t>(n);) {
      unsigned short reclen;
      std::memcpy(&reclen, buf.data() + at + reclen_at, sizeof reclen);
      // ".", "..", and the dot files some tools leave (.DS_Store, .nfs*)
      // are no mail.
      if (buf[at + name_at] != '.') {
        state.new_mail = true;
        ++state.count;
        if (detail == Detail::presence) return state;
      }
      at += reclen;
    }
  }
}

SpoolState check_maildir(const std::string& spool, Place at, Detail detail) {
  ChunkFd dir(open_new(at));
  if (dir.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw SpoolError(Exit::dataerr, spool, "not a spool: a directory without new/ (no Maildir)");
    }
    throw errno_error(spool, errno, "cannot read new/");
  }
  return read_new(dir.get(), spool, detail);
}

SpoolState check_mbox(const std::string& spool, Place at, const struct stat& st, Detail detail) {
  // The size alone says whether there is mail, but a spool we could not
  // read later must not look fine now. Its owner's permission bits are the
  // whole answer for its owner, even with ACLs: no second system call.
  static const uid_t euid = geteuid();
  bool owner_may_read = st.st_uid == euid && (st.st_mode & S_IRUSR);
  if (!owner_may_read && faccessat(at.dir, at.path, R_OK, AT_EACCESS) != 0) {
    throw errno_error(spool, errno);
  }
  SpoolState state{SpoolType::mbox, st.st_size > 0, 0};
  if (detail == Detail::count && state.new_mail) {
    // Without waiting: a FIFO put where the file was would block the open.
    ChunkFd fd(openat(at.dir, at.path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) throw errno_error(spool, errno);
    struct stat now {};
    if (fstat(fd.get(), &now) != 0 || !S_ISREG(now.st_mode)) throw errno_error(spool, EINVAL);
    posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    try {
      state.count = count_mbox_messages(fd.get());
    } catch (const Error& e) {
      throw SpoolError(e.status(), spool, e.what());
    }
  }
  return state;
}

SpoolState check_remote(const std::string& spool) {
  try {
    RemoteUrl url = parse_remote_url(spool);
    // A check from cron must not hang on a dead server for minutes.
    RemoteSession session(spool, url, {"SPOOLCHECK_NETRC", "MAILSPLIT_NETRC"}, SessionLimits{10, 30});
    bool pop3 = url.protocol == RemoteProtocol::pop3;
    std::uint64_t n = pop3 ? pop3_message_count(session) : imap_message_count(session);
    return SpoolState{pop3 ? SpoolType::pop3 : SpoolType::imap, n > 0, n};
  } catch (const SpoolError&) {
    throw;
  } catch (const Error& e) {
    // "SPOOL: DOING: WHY" from the session: the spool is said once.
    std::string reason = e.what();
    if (reason.rfind(spool + ": ", 0) == 0) reason.erase(0, spool.size() + 2);
    throw SpoolError(e.status(), spool, reason);
  }
}

// A worker thread's own descriptor table (unshare(2) CLONE_FILES): its
// opens and closes no longer contend with the other workers' for the
// process's table, and what it opens for a chunk of spools is closed with
// one close_range(2) instead of a close(2) each. About 15% of the time
// over 30,000 spools. Where either call is refused (seccomp, an old
// kernel), descriptors are closed one by one in the shared table.
class Worker {
 public:
  Worker() {
    if (unshare(CLONE_FILES) != 0) return;
    // The lowest free number: everything this thread opens gets one at or
    // above it; what is above it already are copies of the process's
    // descriptors, which closing here leaves open for the others.
    int probe = open("/", O_PATH | O_CLOEXEC);
    if (probe < 0) return;
    if (close_range(static_cast<unsigned>(probe), static_cast<unsigned>(probe), 0) != 0) {
      close(probe);
      return;
    }
    closed_together_from = probe;
  }
  ~Worker() { closed_together_from = -1; }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The end of a chunk: what it opened, closed.
  void chunk_done() const {
    if (closed_together_from >= 0) close_range(static_cast<unsigned>(closed_together_from), ~0U, 0);
  }
};

// One thread per CPU we may run on, at most 8, and none for fewer than
// 1024 spools: starting a thread costs about as much as checking 30.
unsigned thread_count(size_t spools) {
  cpu_set_t cpus;
  unsigned online = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? static_cast<unsigned>(CPU_COUNT(&cpus))
                                                                  : std::thread::hardware_concurrency();
  size_t useful = std::max<size_t>(1, spools / 1024);
  return static_cast<unsigned>(std::clamp<size_t>(std::min<size_t>(online, useful), 1, 8));
}

}  // namespace

const char* type_name(SpoolType type) {
  switch (type) {
    case SpoolType::missing: return "missing";
    case SpoolType::mbox: return "mbox";
    case SpoolType::maildir: return "maildir";
    case SpoolType::pop3: return "pop3";
    case SpoolType::imap: return "imap";
  }
  return "?";
}

SpoolError::SpoolError(Exit status, std::string spool, std::string reason)
    : Error(status, spool + ": " + reason), spool_(std::move(spool)), reason_(std::move(reason)) {}

bool is_remote_spool(std::string_view name) { return is_remote_url(name); }

namespace {

SpoolState check_local(const std::string& spool, Place at, Detail detail) {
  struct stat st {};
  if (fstatat(at.dir, at.path, &st, 0) != 0) {
    if (errno == ENOENT) return SpoolState{};
    throw errno_error(spool, errno);
  }
  if (S_ISREG(st.st_mode)) return check_mbox(spool, at, st, detail);
  if (S_ISDIR(st.st_mode)) return check_maildir(spool, at, detail);
  throw SpoolError(Exit::dataerr, spool, "not a spool: neither an mbox file nor a Maildir");
}

SpoolResult check_one_at(const std::string& spool, Place at, Detail detail) {
  SpoolResult result;
  result.checked = true;
  try {
    result.state = is_remote_spool(spool) ? check_remote(spool) : check_local(spool, at, detail);
  } catch (const SpoolError& e) {
    result.error = e.reason();
  }
  return result;
}

}  // namespace

SpoolState check_spool(const std::string& spool, Detail detail) {
  if (is_remote_spool(spool)) return check_remote(spool);
  return check_local(spool, as_named(spool), detail);
}

SpoolResult check_one(const std::string& spool, Detail detail) { return check_one_at(spool, as_named(spool), detail); }

namespace {

// check_one for a spool that is likely a Maildir, as the one before was:
// opening new/ at once spares a stat(2), which is a third of a Maildir's
// cost. When new/ cannot be opened, check_one_at starts over and tells why.
SpoolResult check_likely_maildir(const std::string& spool, Place at, Detail detail) {
  if (!is_remote_spool(spool)) {
    ChunkFd dir(open_new(at));
    if (dir.get() >= 0) {
      SpoolResult result;
      result.checked = true;
      try {
        result.state = read_new(dir.get(), spool, detail);
      } catch (const SpoolError& e) {
        result.error = e.reason();
      }
      return result;
    }
  }
  return check_one_at(spool, at, detail);
}

// The directory the local spools' names share ("/srv/forums/" for
// "/srv/forums/a/post" and "/srv/forums/b/post"), empty when they share
// none worth opening.
std::string shared_directory(const std::vector<std::string>& spools) {
  const std::string* first = nullptr;
  size_t length = 0;
  for (const auto& spool : spools) {
    if (is_remote_spool(spool)) continue;
    if (!first) {
      first = &spool;
      length = spool.size();
      continue;
    }
    length = std::min(length, spool.size());
    length = static_cast<size_t>(
        std::mismatch(spool.begin(), spool.begin() + static_cast<std::ptrdiff_t>(length), first->begin()).first -
        spool.begin());
  }
  if (!first || length == 0) return {};
  size_t slash = first->rfind('/', length - 1);
  if (slash == std::string::npos || slash == 0) return {};  // none, or "/"
  return first->substr(0, slash + 1);
}

// The spool's place below the shared directory open as dir.
Place below(int dir, size_t shared, const std::string& spool) {
  // A remote spool, which may be shorter, is never walked: its place is
  // its name.
  if (dir < 0 || spool.size() < shared) return as_named(spool);
  // "/srv/forums//a/post": the rest must not start with a slash, or the
  // kernel would walk it from the root.
  const char* rest = spool.c_str() + shared;
  while (*rest == '/') ++rest;
  // "/srv/forums/" itself, named as a spool: the directory.
  return {dir, *rest ? rest : "."};
}

}  // namespace

std::vector<SpoolResult> check_spools(const std::vector<std::string>& spools, Detail detail, bool stop_at_mail) {
  std::vector<SpoolResult> results(spools.size());
  // A long list's spools are checked relative to the directory they share:
  // the kernel's path walk was a fifth of the time. When it cannot be
  // opened, each spool is checked by its name and says what is wrong.
  constexpr size_t worth_a_directory = 64;
  const std::string shared_name = spools.size() >= worth_a_directory ? shared_directory(spools) : "";
  ChunkFd shared_dir(shared_name.empty() ? -1 : open(shared_name.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  const size_t shared = shared_dir.get() < 0 ? 0 : shared_name.size();
  constexpr size_t chunk = 128;  // spools a thread takes at a time
  std::atomic<size_t> next{0};
  std::atomic<bool> found{false};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  // With helpers, the calling thread only waits: its descriptor table is
  // the process's, which must keep what it holds. Remote spools keep the
  // shared table: what a library opens there (libcurl, TLS) must stay
  // valid for the other threads after the helper is gone.
  const unsigned threads = thread_count(spools.size());
  const bool own_tables = threads > 1 && std::none_of(spools.begin(), spools.end(), is_remote_spool);
  auto work = [&] {
    std::optional<Worker> worker;
    if (own_tables) worker.emplace();
    try {
      for (;;) {
        if ((stop_at_mail && found.load(std::memory_order_relaxed)) || failed.load(std::memory_order_relaxed)) {
          return;
        }
        size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
        if (begin >= spools.size()) return;
        size_t end = std::min(begin + chunk, spools.size());
        bool maildir_likely = false;
        for (size_t i = begin; i < end; ++i) {
          Place at = below(shared_dir.get(), shared, spools[i]);
          results[i] =
              maildir_likely ? check_likely_maildir(spools[i], at, detail) : check_one_at(spools[i], at, detail);
          const auto& state = results[i].state;
          maildir_likely = state && state->type == SpoolType::maildir;
          if (stop_at_mail && results[i].new_mail()) {
            found.store(true, std::memory_order_relaxed);
            break;
          }
        }
        if (worker) worker->chunk_done();
        if (found.load(std::memory_order_relaxed) && stop_at_mail) return;
      }
    } catch (...) {  // out of memory: rethrown on the calling thread
      if (!failed.exchange(true)) failure = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 0; t < threads && threads > 1; ++t) helpers.emplace_back(work);
  if (threads <= 1) work();
  for (auto& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

std::uint64_t count_mbox_messages(int fd) {
  // A From_ line is short; a longer line starting with "From " is a body
  // line, and keeping only its start bounds the memory a hostile mbox costs.
  constexpr size_t longest_from_line = 1024;
  constexpr size_t block = 256 * 1024;
  auto buf = std::make_unique<char[]>(block);
  std::string line;  // a line that starts with 'F', as far as read
  bool collecting = false;
  bool at_line_start = true;
  // A From_ line counts at the start of the file or after an empty line
  // (RFC 4155), as the reader splits (mbox_reader.hpp).
  bool after_blank = true;
  size_t line_bytes = 0;  // of the line at hand, its end not counted
  bool starts_with_cr = false;
  std::uint64_t count = 0;
  for (;;) {
    ssize_t n = read(fd, buf.get(), block);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error(Exit::ioerr, "read");
    if (n == 0) break;
    const char* p = buf.get();
    const char* const end = p + n;
    while (p < end) {
      if (at_line_start) {
        collecting = after_blank && *p == 'F';
        if (collecting) line.clear();
        line_bytes = 0;
        starts_with_cr = *p == '\r';
      }
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = nl ? nl : end;
      line_bytes += static_cast<size_t>(stop - p);
      if (collecting && line.size() < longest_from_line) {
        line.append(p, std::min(static_cast<size_t>(stop - p), longest_from_line - line.size()));
      }
      if (!nl) {
        at_line_start = false;
        break;
      }
      if (collecting && is_from_line(line)) ++count;
      after_blank = line_bytes == 0 || (line_bytes == 1 && starts_with_cr);
      collecting = false;
      at_line_start = true;
      p = nl + 1;
    }
  }
  // The last line of a file without a final newline.
  if (collecting && is_from_line(line)) ++count;
  return count;
}

std::vector<std::string> read_spool_names(const std::string& file) {
  // One read into a string sized by the file, and the list sized by its
  // lines: 30,000 names must not cost a copy of the list each time it grows.
  std::string text;
  if (file == "-") {
    if (!util::read_all(STDIN_FILENO, text)) throw system_error(Exit::noinput, "standard input");
  } else {
    ChunkFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || !util::read_all(fd.get(), text)) throw system_error(Exit::noinput, file);
  }
  std::vector<std::string> names;
  names.reserve(util::count_lines(text));
  util::for_each_line(text, [&](std::string_view name) {
    if (!name.empty()) names.emplace_back(name);
  });
  return names;
}

}  // namespace forumgate::spool
