#include "spool/spool_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "spool/spool_check.hpp"
#include "util/error.hpp"

namespace forumgate::spool {
namespace {

constexpr unsigned entry_arrives = IN_CREATE | IN_MOVED_TO | IN_ONLYDIR;
constexpr unsigned mbox_written = IN_MODIFY | IN_CLOSE_WRITE;
// A watched directory deleted or renamed: what was watched through it must
// be watched anew, where its path now leads.
constexpr unsigned gone = IN_DELETE_SELF | IN_MOVE_SELF;

// "dir/box" -> {"dir", "box"}; "box" -> {".", "box"}; "/box" -> {"/", "box"}.
std::pair<std::string, std::string> split_path(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

SpoolWatch::SpoolWatch() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (!fd_.valid()) throw system_error(Exit::unavailable, "inotify_init1");
}

SpoolWatch::~SpoolWatch() = default;

void SpoolWatch::add(std::size_t index, const std::string& spool, const std::string& path, const std::string& name,
                     unsigned mask) {
  // IN_MASK_ADD: two spools may share a watched inode (mboxes in one
  // directory) and must not replace each other's events.
  int wd = inotify_add_watch(fd_.get(), path.c_str(), mask | IN_MASK_ADD);
  if (wd < 0) {
    if (errno == ENOSPC) {
      throw SpoolError(Exit::unavailable, spool,
                       "cannot watch: no inotify watches left (raise fs.inotify.max_user_watches)");
    }
    throw SpoolError(Exit::noinput, spool, "cannot watch " + path + ": " + std::strerror(errno));
  }
  auto& indices = spools_of_[wd][name];
  if (std::find(indices.begin(), indices.end(), index) == indices.end()) indices.push_back(index);
  spool_count_ = std::max(spool_count_, index + 1);
}

void SpoolWatch::watch(std::size_t index, const std::string& spool) {
  if (is_remote_spool(spool)) {
    // No server tells us when mail arrives (IMAP IDLE would, one session
    // per mailbox): a remote spool is checked from cron, not watched.
    throw SpoolError(Exit::usage, spool, "--watch cannot watch a remote spool; check it without --watch");
  }
  const bool again = watched_.count(index) > 0;
  watched_.insert(index);
  half_made_.erase(index);
  struct stat link {};
  struct stat st {};
  if (lstat(spool.c_str(), &link) != 0) {
    if (errno != ENOENT) return;
  } else if (stat(spool.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    // A Maildir: deliveries into new/; and the Maildir itself, which may
    // go, or have no new/ yet (maildirmake makes it just after).
    std::string new_dir = spool + "/new";
    const bool has_new = access(new_dir.c_str(), F_OK) == 0;
    if (has_new) add(index, spool, new_dir, "", entry_arrives | gone);
    add(index, spool, spool, "new", entry_arrives | gone);
    if (has_new || !again) half_made_.erase(index);
    else half_made_.insert(index);
    return;
  } else if (S_ISLNK(link.st_mode)) {
    // Writes to the file a link points to are not events of the link's
    // directory: watch the file itself.
    add(index, spool, spool, "", mbox_written);
  }
  // An mbox, or a missing spool that an mbox may become: its directory tells
  // of writes to it and of its creation, one watch for all its mboxes.
  auto [dir, name] = split_path(spool);
  if (again && access(dir.c_str(), F_OK) != 0) {
    // The directory went (deleted, renamed) while we watched: wait for it
    // to be made again, on the nearest directory that is still there.
    std::string missing = dir;
    auto [parent, child] = split_path(missing);
    while (access(parent.c_str(), F_OK) != 0 && parent != missing) {
      missing = parent;
      std::tie(parent, child) = split_path(missing);
    }
    add(index, spool, parent, child, entry_arrives | gone);
    return;
  }
  add(index, spool, dir, name, entry_arrives | mbox_written | gone);
}

std::vector<std::size_t> SpoolWatch::wait(const lock::Deadline& deadline) {
  std::vector<std::size_t> woken;
  bool everything = false;
  alignas(inotify_event) std::array<char, 64 * 1024> buf;
  while (woken.empty() && !everything) {
    pollfd pfd{fd_.get(), POLLIN, 0};
    int ready;
    if (deadline.is_never()) {
      ready = ppoll(&pfd, 1, nullptr, nullptr);
    } else {
      auto left = deadline.remaining(std::chrono::hours(24));
      if (left <= std::chrono::nanoseconds::zero()) return {};
      timespec ts{static_cast<time_t>(left.count() / 1'000'000'000), static_cast<long>(left.count() % 1'000'000'000)};
      ready = ppoll(&pfd, 1, &ts, nullptr);
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw system_error(Exit::ioerr, "waiting for inotify events");
    }
    if (ready == 0) continue;  // the deadline is looked at above
    for (;;) {
      ssize_t n = read(fd_.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) throw system_error(Exit::ioerr, "reading inotify events");
      for (size_t at = 0; at < static_cast<size_t>(n);) {
        inotify_event ev;
        std::memcpy(&ev, buf.data() + at, sizeof ev);
        // The name is NUL-padded to a multiple of the event's alignment.
        std::string name = ev.len ? std::string(buf.data() + at + sizeof ev) : std::string();
        at += sizeof ev + ev.len;
        if (ev.mask & IN_Q_OVERFLOW) {
          everything = true;
          continue;
        }
        auto watched = spools_of_.find(ev.wd);
        if (watched == spools_of_.end()) continue;
        if (ev.mask & (gone | IN_IGNORED)) {
          // The directory (or file) itself went: every spool watched through
          // it is watched again; a renamed one must not speak for them.
          for (const auto& [key, indices] : watched->second) woken.insert(woken.end(), indices.begin(), indices.end());
          if (ev.mask & IN_MOVE_SELF) inotify_rm_watch(fd_.get(), ev.wd);
          spools_of_.erase(watched);
          continue;
        }
        for (const std::string& key : {std::string(), name}) {
          auto it = watched->second.find(key);
          if (it != watched->second.end()) woken.insert(woken.end(), it->second.begin(), it->second.end());
          if (name.empty()) break;
        }
      }
    }
  }
  if (everything) {
    woken.resize(spool_count_);
    for (std::size_t i = 0; i < spool_count_; ++i) woken[i] = i;
    return woken;
  }
  std::sort(woken.begin(), woken.end());
  woken.erase(std::unique(woken.begin(), woken.end()), woken.end());
  return woken;
}

}  // namespace forumgate::spool
