#include "spool/splitter.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <memory>
#include <optional>

#include "cli/log.hpp"
#include "lock/mailbox_lock.hpp"
#include "spool/maildir.hpp"
#include "spool/remote_source.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {
namespace {

// A message file of a Maildir; nullopt (with a warning) for what is no
// regular file: a symlink is not followed, a FIFO not waited on, a
// directory not read, and none of them is ever unlinked by a drain.
std::optional<std::string> read_message_file(const std::string& path, time_t& mtime) {
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid() && (errno == ELOOP || errno == EISDIR)) {
    log::warning("skipping " + path + ": not a regular file");
    return std::nullopt;
  }
  if (!fd.valid()) throw system_error(Exit::noinput, "cannot open " + path);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    log::warning("skipping " + path + ": not a regular file");
    return std::nullopt;
  }
  mtime = st.st_mtime;
  std::string data;
  if (!util::read_all(fd.get(), data)) throw system_error(Exit::ioerr, "cannot read " + path);
  return data;
}

// The flags of a message file a reader has seen: one in cur/ keeps its
// ":2,FLAGS" ("" without); one in new/ has none (nullopt).
std::optional<std::string_view> seen_flags(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash < 4 || path.substr(slash - 4, 4) != "/cur") return std::nullopt;
  size_t info = path.find(":2,", slash);
  return info == std::string_view::npos ? std::string_view() : path.substr(info + 3);
}

void drain_mbox(int fd, const std::string& path, uint64_t consumed) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw system_error(Exit::ioerr, "cannot stat " + path);
  if (static_cast<uint64_t>(st.st_size) != consumed) {
    // Written (or cut) by someone who ignored the locks. Moving their bytes
    // to the front has a moment where a crash mixes old and new; better to
    // leave the mbox whole: what was taken comes again next time, and the
    // Message-ID key absorbs it.
    log::warning(path + " changed while locked (" + std::to_string(consumed) + " bytes read, " +
                 std::to_string(st.st_size) + " now); not truncating it");
    return;
  }
  if (ftruncate(fd, 0) != 0 || fsync(fd) != 0) throw system_error(Exit::ioerr, "cannot truncate " + path);
}

SplitReport split_mbox(const SplitRequest& rq, MessageSink& sink) {
  std::unique_ptr<lock::MailboxLock> lk;
  util::Fd own_fd;  // the mbox opened without its locks
  int fd = STDIN_FILENO;
  if (rq.source != "-") {
    if (rq.drain || access(rq.source.c_str(), W_OK) == 0) {
      lk = std::make_unique<lock::MailboxLock>(rq.source, rq.stale_age);
      auto deadline = lock::Deadline::after_seconds(rq.lock_wait_seconds);
      deadline.cancelled_by(rq.cancel);
      if (!lk->acquire(deadline)) {
        if (rq.cancel && *rq.cancel) throw Interrupted();
        std::string who = lk->holder();
        throw Error(Exit::tempfail,
                    rq.source + " is locked" + (who.empty() ? "" : " (" + who + ")") + "; try again later");
      }
      fd = lk->fd();
      lseek(fd, 0, SEEK_SET);
    } else {
      own_fd = util::Fd(::open(rq.source.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
      if (!own_fd.valid()) throw system_error(Exit::noinput, "cannot open " + rq.source);
      fd = own_fd.get();
      struct stat st {};
      if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        throw Error(Exit::noinput, rq.source + " is " + util::file_kind(st.st_mode) + ", not an mbox file");
      }
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      log::warning("reading " + rq.source + " without its locks (it is not writable for us)");
    }
  }
  cli::Progress progress;
  if (struct stat st{}; rq.on_progress && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    progress.bytes_total = static_cast<uint64_t>(st.st_size);
  }
  SplitReport report;
  MboxReader reader(fd, rq.source == "-" ? "standard input" : rq.source, rq.format,
                    rq.keep_flags ? StatusHeaders::take : StatusHeaders::keep);
  reader.keep_data(sink.wants_data());
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // larger read-ahead; fails harmlessly on a pipe
  MboxMessage m;
  auto refreshed = std::chrono::steady_clock::now();
  try {
    while (reader.next(m)) {
      if (rq.cancel && *rq.cancel) throw Interrupted();
      // A long run (a slow --exec) must not let the MTA think our dotlock stale.
      if (lk && std::chrono::steady_clock::now() - refreshed > lk->refresh_interval()) {
        lk->refresh();
        refreshed = std::chrono::steady_clock::now();
      }
      std::string prefix = return_path_line(m);
      std::optional<std::string> flags;
      if (rq.keep_flags) flags = maildir_flags(m);
      OutgoingMessage out{m.from_line, prefix, m.data, flags};
      out.owner = &m.data;  // the sink may take it; next() starts again from whatever is left there
      Placement placed = sink.add(out);
      ++(placed.taken ? report.taken : report.kept);
      report.bytes += m.length;
      if (rq.on_message) rq.on_message(m.offset, m.length, placed.where);
      if (rq.on_progress) {
        progress.bytes = reader.offset();
        progress.items = report.taken + report.kept;
        rq.on_progress(progress);
      }
    }
    sink.commit(rq.drain);
  } catch (...) {
    sink.rollback();
    throw;
  }
  if (rq.drain && lk && report.kept == 0) {
    drain_mbox(fd, rq.source, reader.offset());
    report.drained = true;
  }
  return report;  // the locks go with lk, after the truncation
}

SplitReport split_maildir(const SplitRequest& rq, MessageSink& sink) {
  SplitReport report;
  std::vector<std::string> taken;
  try {
    const std::vector<std::string> paths = maildir_messages(rq.source);
    cli::Progress progress;
    progress.items_total = paths.size();
    for (const auto& path : paths) {
      if (rq.cancel && *rq.cancel) throw Interrupted();
      time_t mtime = 0;
      std::string data;
      try {
        auto read = read_message_file(path, mtime);
        if (!read) continue;
        data = std::move(*read);
      } catch (const Error& e) {
        if (access(path.c_str(), F_OK) != 0) continue;  // taken by another reader meanwhile
        throw;
      }
      std::optional<std::string_view> flags;
      if (rq.keep_flags) flags = seen_flags(path);
      const size_t size = data.size();
      const std::string from_line = make_from_line(data, mtime);
      OutgoingMessage out{from_line, "", data, flags};
      out.owner = &data;
      Placement placed = sink.add(out);
      if (placed.taken) taken.push_back(path);
      ++(placed.taken ? report.taken : report.kept);
      report.bytes += size;
      if (rq.on_message) rq.on_message(0, size, placed.where + " <- " + path);
      if (rq.on_progress) {
        progress.bytes = report.bytes;
        progress.items = report.taken + report.kept;
        rq.on_progress(progress);
      }
    }
    sink.commit(rq.drain);
  } catch (...) {
    sink.rollback();
    throw;
  }
  if (rq.drain) {
    for (const auto& path : taken) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw system_error(Exit::ioerr, "cannot remove " + path);
      }
    }
    sync_directory(rq.source + "/new");
    sync_directory(rq.source + "/cur");
    report.drained = true;
  }
  return report;
}

}  // namespace

std::string make_from_line(std::string_view message, time_t when) {
  std::string sender = "MAILER-DAEMON";
  size_t header_end = message.find("\n\n");
  std::string_view header = message.substr(0, header_end);
  for (size_t pos = 0; pos < header.size();) {
    size_t nl = header.find('\n', pos);
    std::string_view line = header.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (line.size() > 12 && (line.substr(0, 12) == "Return-Path:" || line.substr(0, 12) == "return-path:")) {
      size_t lt = line.find('<'), gt = line.find('>');
      if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt + 1) {
        sender = std::string(line.substr(lt + 1, gt - lt - 1));
      }
      break;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  char date[64];
  tm t{};
  gmtime_r(&when, &t);
  strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &t);
  return "From " + sender + " " + date;
}

SplitReport split_spool(const SplitRequest& rq, MessageSink& sink) {
  if (is_remote_url(rq.source)) return split_remote(rq, sink);
  if (rq.drain && !sink.durable()) {
    throw Error(Exit::usage, "--drain needs a durable destination: a queue Maildir, -o DIR, or --stdout into a file");
  }
  if (rq.source == "-") {
    if (rq.drain) throw Error(Exit::usage, "--drain needs a spool to drain, not standard input");
    return split_mbox(rq, sink);
  }
  struct stat st {};
  if (stat(rq.source.c_str(), &st) != 0) throw system_error(Exit::noinput, rq.source);
  if (S_ISDIR(st.st_mode)) {
    if (!is_maildir(rq.source)) {
      throw Error(Exit::noinput, rq.source + " is a directory but not a Maildir (no cur/, new/, tmp/)");
    }
    return split_maildir(rq, sink);
  }
  // Before any lock is made beside it (no /dev/zero.lock) and before it is
  // opened: a FIFO's open waits for a writer, a device's may act.
  if (!S_ISREG(st.st_mode)) {
    throw Error(Exit::noinput, rq.source + " is " + util::file_kind(st.st_mode) +
                                   ", not an mbox file or a Maildir (use - for standard input)");
  }
  if (access(rq.source.c_str(), R_OK) != 0) throw system_error(Exit::noinput, "cannot read " + rq.source);
  return split_mbox(rq, sink);
}

}  // namespace forumgate::spool
