#include "forum/queue.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "cli/log.hpp"
#include "forum/our_mail.hpp"
#include "spool/maildir.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

namespace {

// Done messages whose posts await the group's commit.
class DoneMessages {
 public:
  DoneMessages(const std::string& dir, const QueueOptions& o, QueueReport& report)
      : dir_(dir), o_(o), report_(report) {}

  void add(const std::string& path, const Result& result) {
    if (pending_.empty()) started_ = std::chrono::steady_clock::now();
    pending_.emplace_back(path, result);
    if (!o_.commit || pending_.size() >= o_.group_size || std::chrono::steady_clock::now() - started_ >= o_.group_time)
      commit();
  }

  // The done messages, taken back: the group was rolled back.
  std::vector<std::string> take() {
    std::vector<std::string> paths;
    for (const auto& pending : pending_) paths.push_back(pending.first);
    pending_.clear();
    return paths;
  }

  // Where the messages go when the group must be handed in again.
  void on_replay(std::function<void(const std::vector<std::string>&)> replay) { replay_ = std::move(replay); }

  // The posts made durable, then their files out of new/.
  void commit() {
    if (o_.commit) {
      try {
        o_.commit();
      } catch (const ReplayGroup& e) {
        // Rolled back: its messages again, each undoable alone, then what
        // they leave pending.
        log::notice(e.what());
        replay_(take());
        commit();
        return;
      } catch (const Error& e) {
        if (e.status() != Exit::tempfail) throw;
        if (!pending_.empty()) log::warning(std::to_string(pending_.size()) + " messages stay queued: " + e.what());
        // They must wait: with --stop-on-tempfail nothing more is tried.
        if (!pending_.empty() && o_.stop_on_tempfail) report_.stopped = true;
        report_.deferred += pending_.size();
        const bool conflict = is_conflict(e);
        for (auto& [path, result] : pending_) {
          if (conflict) report_.conflicted.push_back(path);
          result.outcome = Outcome::deferred;
          result.status = Exit::tempfail;
          result.conflict = conflict;
          result.reason = e.what();
          result.post = result.thread = 0;
          if (o_.settled) o_.settled(path, result);
        }
        pending_.clear();
        return;
      }
    }
    for (const auto& [path, result] : pending_) {
      const Outcome outcome = result.outcome;
      if (outcome == Outcome::posted) ++report_.posted;
      else if (outcome == Outcome::duplicate) ++report_.duplicates;
      else if (outcome == Outcome::ignored) ++report_.ignored;
      else ++report_.subscriptions;  // requested, subscribed, unsubscribed
      int rc = o_.delete_done ? ::unlink(path.c_str())
                              : ::rename(path.c_str(), (dir_ + "/cur/" + base_name(path) + ":2,S").c_str());
      if (rc != 0 && errno != ENOENT) throw system_error(Exit::ioerr, "cannot move " + path + " out of new/");
      // Said only now that it is durable.
      if (o_.settled) o_.settled(path, result);
    }
    pending_.clear();
  }

 private:
  const std::string& dir_;
  const QueueOptions& o_;
  QueueReport& report_;
  std::vector<std::pair<std::string, Result>> pending_;
  std::chrono::steady_clock::time_point started_;
  std::function<void(const std::vector<std::string>&)> replay_;
};

// A message as the read-ahead thread left it: read (nullopt: taken by a
// concurrent run) and prepared, or left for the handler's thread to read.
struct ReadMessage {
  std::optional<std::string> data;
  Prepared prepared;
  bool left = false;        // not read ahead (not a regular file, or an error)
  bool not_a_file = false;  // a directory, a FIFO, a device, a link: never read
};

// A queue entry's bytes, or nullopt when it is gone (taken by a concurrent
// run). Opened without blocking and without following a link, so that a
// FIFO or a device never holds the run, and read only when it is a
// regular file.
ReadMessage read_entry(const std::string& path) {
  ReadMessage m;
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW));
  if (!fd.valid() && errno == ENOENT) return m;
  if (!fd.valid() && (errno == ELOOP || errno == ENXIO || errno == EOPNOTSUPP)) {
    m.not_a_file = true;
    return m;
  }
  if (!fd.valid()) throw system_error(Exit::noinput, "cannot read " + path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    m.not_a_file = true;
    return m;
  }
  std::string data;
  bool ok = util::read_all(fd.get(), data);
  int err = errno;
  fd.close();
  if (!ok) throw system_error(Exit::noinput, "cannot read " + path, err);
  m.data = std::move(data);
  return m;
}

// The queue's messages read and prepared on a thread of its own, a few
// ahead of the handler: a bounded window (read_ahead messages, and about
// max_bytes) keeps memory small and a concurrent run rarely reads what
// this one will handle. The thread blocks every signal, so that they reach
// the main thread, and is joined by the destructor on every way out.
class ReadAhead {
 public:
  ReadAhead(const std::vector<std::string>& paths, const QueueOptions& o) : paths_(paths), o_(o) {
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);  // the thread inherits it
    try {
      thread_ = std::thread([this] { run(); });
    } catch (...) {
      // No thread to be had: the messages are read as they are handled.
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  ~ReadAhead() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    space_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next message, in the order of paths; throws what reading it
  // throws, on this thread.
  ReadMessage next() {
    if (!thread_.joinable()) return read(paths_[taken_++]);
    std::unique_lock lock(mutex_);
    if (ready_.empty()) {
      waiting_ = true;
      ready_cv_.wait(lock, [&] { return !ready_.empty() || gave_up_; });
      waiting_ = false;
      if (ready_.empty()) {  // the thread failed (out of memory): read here
        lock.unlock();
        return read(paths_[taken_++]);
      }
    }
    ReadMessage m = std::move(ready_.front());
    ready_.pop_front();
    ++taken_;
    if (m.data) bytes_ -= m.data->size();
    const bool wake = sleeping_ && has_room();
    lock.unlock();
    if (wake) space_.notify_one();
    // What could not be read ahead, or not well (a transient error; the
    // file may since have been taken by a concurrent run), is read now,
    // as it was before there was a thread.
    if (m.left) return read(paths_[taken_ - 1]);
    return m;
  }

  // What was prepared of the messages read ahead, in order.
  std::vector<PreparedPtr> ahead() {
    std::vector<PreparedPtr> values;
    if (!thread_.joinable()) return values;
    std::lock_guard lock(mutex_);
    for (const auto& m : ready_)
      if (const PreparedPtr& value = m.prepared.value()) values.push_back(value);
    return values;
  }

 private:
  // Of raw mail; prepared, a message takes about three times its size.
  static constexpr std::size_t max_bytes = 4 << 20;

  // The window is full: the thread sleeps until it is half empty, so that
  // waking it (a context switch, costly on a virtual machine) is paid once
  // for several messages, not for each.
  bool full() const { return !ready_.empty() && (ready_.size() >= o_.read_ahead || bytes_ >= max_bytes); }
  bool has_room() const { return ready_.empty() || (ready_.size() <= o_.read_ahead / 2 && bytes_ <= max_bytes / 2); }

  ReadMessage read(const std::string& path) const {
    ReadMessage m = read_entry(path);
    if (m.data && o_.prepare) {
      try {
        m.prepared = Prepared(o_.prepare(*m.data));
      } catch (...) {
        m.prepared = Prepared(std::current_exception());
      }
    }
    return m;
  }

  // Only a regular file is read ahead: opening a FIFO (or anything else
  // that may block) is left to the handler's thread, which would block on
  // it all the same, so that stopping never waits for the read-ahead.
  static bool regular(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }

  void run() {
    try {
      read_ahead();
    } catch (...) {  // out of memory: the handler's thread reads the rest
      std::lock_guard lock(mutex_);
      gave_up_ = true;
    }
    ready_cv_.notify_one();
  }

  void read_ahead() {
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      {
        std::unique_lock lock(mutex_);
        // At least one ahead, however large: the handler waits for it.
        if (full()) {
          sleeping_ = true;
          space_.wait(lock, [&] { return stop_ || has_room(); });
          sleeping_ = false;
        }
        if (stop_) return;
      }
      ReadMessage m;
      try {
        if (regular(paths_[i])) m = read(paths_[i]);
        else m.left = true;
      } catch (const Error&) {
        m = ReadMessage{};
        m.left = true;
      }
      bool wake = false;
      {
        std::lock_guard lock(mutex_);
        if (m.data) bytes_ += m.data->size();
        ready_.push_back(std::move(m));
        wake = waiting_;
      }
      if (wake) ready_cv_.notify_one();
    }
  }

  const std::vector<std::string>& paths_;
  const QueueOptions& o_;
  std::size_t taken_ = 0;  // by next(), on the handler's thread
  std::mutex mutex_;
  std::condition_variable space_, ready_cv_;
  std::deque<ReadMessage> ready_;  // read, not yet taken, in order
  std::size_t bytes_ = 0;          // their data's
  bool stop_ = false;
  bool gave_up_ = false;   // the thread ended early: what is left is read here
  bool sleeping_ = false;  // the thread waits for room
  bool waiting_ = false;   // the handler's thread waits for a message
  std::thread thread_;     // last: started once the rest is there
};

}  // namespace

QueueReport process_queue(const std::string& dir, const QueueOptions& o, const QueueHandler& handler) {
  if (!spool::is_maildir(dir)) throw Error(Exit::noinput, dir + " is not a queue (a Maildir with new/, cur/, tmp/)");
  spool::check_private_queue(dir);
  QueueReport report;
  std::vector<std::string> messages = o.only ? *o.only : spool::maildir_messages(dir);
  const std::string new_dir = dir + "/new/";
  std::unique_ptr<spool::MaildirWriter> failed;
  DoneMessages group(dir, o, report);
  // A refused message into .failed/, its reason with it, durable before
  // the original goes; false, and r saying why, when .failed/ cannot take
  // it.
  auto to_failed = [&](const std::string& path, const std::string& data, Result& r) {
    try {
      if (!failed) failed = std::make_unique<spool::MaildirWriter>(dir + "/.failed");
      failed->add("X-Forumgate-Failure: " + as_one_line(std::to_string(status(r.status)) + " " + r.reason) + "\n",
                  data);
      failed->commit();
    } catch (const Error& e) {
      if (failed) failed->rollback();
      log::warning(path + " stays queued: it cannot go into .failed/: " + e.what());
      r.outcome = Outcome::deferred;
      r.status = Exit::tempfail;
      r.reason = std::string("cannot go into .failed/: ") + e.what() + " (refused: " + r.reason + ")";
      return false;
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw system_error(Exit::ioerr, "cannot remove " + path);
    return true;
  };
  // A message put where its outcome says.
  auto settled = [&](const std::string& path, const Result& r) {
    if (o.settled) o.settled(path, r);
  };
  auto settle = [&](const std::string& path, const std::string& data, Result r) {
    switch (r.outcome) {
      case Outcome::deferred:
        ++report.deferred;
        if (r.conflict) report.conflicted.push_back(path);
        // The group may be lost with it: settle it now.
        group.commit();
        settled(path, r);
        if (o.stop_on_tempfail) report.stopped = true;
        break;
      case Outcome::refused: {
        // Its writes are undone already: nothing to wait for.
        if (!to_failed(path, data, r)) {
          // .failed/ cannot take it (a full disk): it stays in new/, for
          // the next run, and the rest of the queue goes on.
          ++report.deferred;
          settled(path, r);
          break;
        }
        ++report.refused;
        settled(path, r);
        break;
      }
      case Outcome::requested:
        // Its confirmation is sent, its token committed: it must not be
        // handed in again.
        group.add(path, r);
        group.commit();
        break;
      default: group.add(path, r);
    }
  };
  auto replay = [&](const std::vector<std::string>& paths) {
    for (const auto& done : paths) {
      std::optional<std::string> again = read_entry(done).data;
      if (again) settle(done, *again, handler(done, *again, Prepared(), {}));
    }
  };
  group.on_replay(replay);
  // cur/ holds what was done before.
  std::erase_if(messages, [&](const std::string& path) { return path.compare(0, new_dir.size(), new_dir) != 0; });
  const bool ahead = o.prepare && o.read_ahead > 0 && !messages.empty();
  std::optional<ReadAhead> reader;
  if (ahead) reader.emplace(messages, o);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string& path = messages[i];
    if (o.cancel && *o.cancel) {
      report.stopped = true;
      break;
    }
    // nullopt: taken by a concurrent run.
    ReadMessage m = reader ? reader->next() : read_entry(path);
    if (m.not_a_file) {
      // Nothing a queue writer makes: never opened for reading, left for
      // the administrator, and the rest of the queue goes on.
      log::warning(as_one_line(path) + ": not a regular file (a directory, a FIFO, a device or a link): skipped");
      ++report.skipped;
      continue;
    }
    if (!m.data) continue;
    // Read ahead, it may have been taken since: as when it is read now.
    if (reader && ::access(path.c_str(), F_OK) != 0 && errno == ENOENT) continue;
    ++report.taken;
    Result r = handler(path, *m.data, std::move(m.prepared), reader ? reader->ahead() : std::vector<PreparedPtr>());
    if (r.replay) {
      // The group was rolled back to undo this message's writes: its
      // messages again, then this one (see Gateway::begin_group). Its
      // line waits for its fate, as every line does; this says why the
      // group goes again.
      log::notice(as_one_line(path) + ": " + as_one_line(r.reason) + "; the group is handed in again");
      replay(group.take());
      r = handler(path, *m.data, Prepared(), {});
    }
    settle(path, *m.data, r);
    if (report.stopped) break;
  }
  group.commit();
  return report;
}

}  // namespace forumgate::forum
