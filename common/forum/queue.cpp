#include "forum/queue.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <chrono>
#include <utility>
#include <vector>

#include "cli/error.hpp"
#include "cli/log.hpp"
#include "spool/maildir.hpp"
#include "util/fd.hpp"

namespace forumgate::forum {

namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A header field's value on one line: no line breaks from the reason.
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

}  // namespace

namespace {

// Done messages whose posts await the group's commit.
class Group {
 public:
  Group(const std::string& dir, const QueueOptions& o, QueueReport& report) : dir_(dir), o_(o), report_(report) {}

  void add(const std::string& path, Outcome outcome) {
    if (pending_.empty()) started_ = std::chrono::steady_clock::now();
    pending_.emplace_back(path, outcome);
    if (!o_.commit || pending_.size() >= o_.group_size ||
        std::chrono::steady_clock::now() - started_ >= o_.group_time)
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
        if (!pending_.empty())
          log::warning(std::to_string(pending_.size()) + " messages stay queued: " + e.what());
        report_.deferred += pending_.size();
        pending_.clear();
        return;
      }
    }
    for (const auto& [path, outcome] : pending_) {
      if (outcome == Outcome::posted) ++report_.posted;
      else if (outcome == Outcome::duplicate) ++report_.duplicates;
      else ++report_.ignored;
      int rc = o_.delete_done ? ::unlink(path.c_str())
                              : ::rename(path.c_str(), (dir_ + "/cur/" + base_name(path) + ":2,S").c_str());
      if (rc != 0 && errno != ENOENT) throw system_error(Exit::ioerr, "cannot move " + path + " out of new/");
    }
    pending_.clear();
  }

 private:
  const std::string& dir_;
  const QueueOptions& o_;
  QueueReport& report_;
  std::vector<std::pair<std::string, Outcome>> pending_;
  std::chrono::steady_clock::time_point started_;
  std::function<void(const std::vector<std::string>&)> replay_;
};

}  // namespace

QueueReport process_queue(const std::string& dir, const QueueOptions& o,
                          const std::function<Result(const std::string&, std::string)>& handler) {
  if (!spool::is_maildir(dir)) throw Error(Exit::noinput, dir + " is not a queue (a Maildir with new/, cur/, tmp/)");
  spool::check_private_queue(dir);
  QueueReport report;
  std::vector<std::string> messages = spool::maildir_messages(dir);
  const std::string new_dir = dir + "/new/";
  std::unique_ptr<spool::MaildirWriter> failed;
  Group group(dir, o, report);
  // A message put where its outcome says.
  auto settle = [&](const std::string& path, const std::string& data, const Result& r) {
    switch (r.outcome) {
      case Outcome::deferred:
        ++report.deferred;
        // The group may be lost with it: settle it now.
        group.commit();
        if (o.stop_on_tempfail) report.stopped = true;
        break;
      case Outcome::refused: {
        // Its writes are undone already: nothing to wait for.
        ++report.refused;
        if (!failed) failed = std::make_unique<spool::MaildirWriter>(dir + "/.failed");
        failed->add({"X-Forumgate-Failure: " + one_line(std::to_string(status(r.status)) + " " + r.reason) + "\n", data});
        failed->commit();
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw system_error(Exit::ioerr, "cannot remove " + path);
        break;
      }
      case Outcome::requested:
        // Its confirmation is sent, its token committed: it must not be
        // handed in again.
        group.add(path, r.outcome);
        group.commit();
        break;
      default:
        group.add(path, r.outcome);
    }
  };
  auto replay = [&](const std::vector<std::string>& paths) {
    for (const auto& done : paths) {
      std::optional<std::string> again = util::read_file(done, Exit::noinput);
      if (again) settle(done, *again, handler(done, *again));
    }
  };
  group.on_replay(replay);
  for (const auto& path : messages) {
    if (path.compare(0, new_dir.size(), new_dir) != 0) continue;  // cur/: done before
    if (o.cancel && *o.cancel) {
      report.stopped = true;
      break;
    }
    // nullopt: taken by a concurrent run.
    std::optional<std::string> data = util::read_file(path, Exit::noinput);
    if (!data) continue;
    ++report.taken;
    Result r = handler(path, *data);
    if (r.replay) {
      // The group was rolled back to undo this message's writes: its
      // messages again, then this one (see Gateway::begin_group).
      replay(group.take());
      r = handler(path, *data);
    }
    settle(path, *data, r);
    if (report.stopped) break;
  }
  group.commit();
  return report;
}

}  // namespace forumgate::forum
