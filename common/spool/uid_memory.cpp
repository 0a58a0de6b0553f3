#include "spool/uid_memory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "cli/log.hpp"
#include "spool/maildir.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

namespace forumgate::spool {
namespace {

constexpr const char* magic = "mailsplit-uids 1";

// Whether name is one MaildirWriter gives ("1795430460.M12P345Q7.host,S=72"):
// starts with a digit, no slash, no blank or control byte.
bool written_here(std::string_view name) {
  if (name.empty() || name[0] < '0' || name[0] > '9') return false;
  for (unsigned char c : name)
    if (c <= ' ' || c == 0x7f || c == '/') return false;
  return true;
}

std::string strip_slashes(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// The queue's directory, made when missing (cur/, new/, tmp/ come with
// the first message, from MaildirWriter).
std::string make_queue_dir(const std::string& queue) {
  std::string dir = strip_slashes(queue);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw system_error(Exit::cantcreat, "cannot create the queue " + dir);
  }
  return dir;
}

}  // namespace

std::string UidMemory::file_name(const std::string& identity) {
  static const char hex[] = "0123456789ABCDEF";
  std::string name = "mailsplit-uids.";
  for (unsigned char c : identity) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("@._:+-").find(static_cast<char>(c)) != std::string_view::npos;
    if (c == ' ') {
      name += '.';
    } else if (plain) {
      name += static_cast<char>(c);
    } else {
      name += '%';
      name += hex[c >> 4];
      name += hex[c & 15];
    }
  }
  // NAME_MAX is 255; leave room for ".new". The file's source line still
  // tells which mailbox a hashed name is for.
  if (name.size() > 200) {
    uint64_t h = 14695981039346656037ULL;  // FNV-1a
    for (unsigned char c : identity) h = (h ^ c) * 1099511628211ULL;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    name = std::string("mailsplit-uids.") + buf;
  }
  return name;
}

UidMemory::UidMemory(const std::string& queue, const std::string& identity, const lock::Deadline& deadline)
    : queue_(make_queue_dir(queue)),
      identity_(identity),
      path_(queue_ + "/" + file_name(identity)),
      lock_(queue_ + "/mailsplit-uids.lock", lock::FileLock::Api::flock, lock::FileLock::Open::create) {
  if (!lock_.acquire(deadline)) {
    throw Error(Exit::tempfail, "another mailsplit is taking remote mail into " + queue_ + " (it holds " + queue_ +
                                    "/mailsplit-uids.lock); try again later");
  }
  load();
}

void UidMemory::load() {
  std::optional<std::string> file = util::read_file(path_);
  if (!file) return;
  const std::string& text = *file;
  const std::vector<std::string_view> lines = util::split_lines(text);
  if (lines.size() < 3 || lines[0] != magic || lines[1] != "source " + identity_ ||
      lines[2].substr(0, 12) != "uidvalidity ") {
    // Not ours (a hashed name's collision, or damage): taking every message
    // again risks duplicates, never a loss.
    log::warning(path_ + " is not the UID record of " + identity_ + "; not using it");
    return;
  }
  validity_ = std::string(lines[2].substr(12));
  std::multimap<std::string, std::string> pending;
  for (size_t i = 3; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.substr(0, 4) == "uid " && line.size() > 4) {
      uids_.emplace(line.substr(4));
    } else if (line.substr(0, 8) == "pending ") {
      // "pending UID NAME": UIDs are atoms, names maildir(5) ones; neither
      // holds a blank.
      std::string_view rest = line.substr(8);
      size_t blank = rest.find(' ');
      if (blank == std::string_view::npos || blank == 0 || blank + 1 == rest.size()) continue;
      std::string_view name = rest.substr(blank + 1);
      if (!written_here(name)) continue;  // damage: never a file of somebody else's
      pending.emplace(rest.substr(0, blank), name);
    }
  }
  if (!pending.empty()) settle(pending);
}

void UidMemory::settle(const std::multimap<std::string, std::string>& pending) {
  // What a cut commit renamed may not be durable yet: it is, before it
  // counts (a directory fsync that failed then is tried again too).
  for (const char* sub : {"/new", "/cur"}) {
    std::string dir = queue_ + sub;
    if (access(dir.c_str(), F_OK) == 0) sync_directory(dir);
  }
  // Files only move from new/ to cur/ ("NAME:2,FLAGS", maildir(5)): new/
  // first, then one scan of cur/ for the rest, so that a reader moving one
  // meanwhile is not missed.
  std::set<std::string> found;
  for (const auto& [uid, name] : pending)
    if (access((queue_ + "/new/" + name).c_str(), F_OK) == 0) found.insert(name);
  if (found.size() < pending.size()) {
    std::string cur = queue_ + "/cur";
    DIR* dir = opendir(cur.c_str());
    if (!dir && errno != ENOENT) throw system_error(Exit::ioerr, "cannot read " + cur);
    if (dir) {
      while (struct dirent* e = readdir(dir)) {
        std::string_view name = e->d_name;
        found.emplace(name.substr(0, name.find(':')));
      }
      closedir(dir);
    }
  }
  // A UID counts when every file of its messages is in the queue.
  size_t kept = 0, again = 0;
  for (auto at = pending.begin(); at != pending.end();) {
    auto end = pending.upper_bound(at->first);
    bool all = true;
    for (auto it = at; it != end; ++it) all = all && found.count(it->second);
    if (all) {
      uids_.insert(at->first);
      ++kept;
    } else {
      ++again;
      for (auto it = at; it != end; ++it) {
        std::string tmp = queue_ + "/tmp/" + it->second;
        if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) throw system_error(Exit::ioerr, "cannot remove " + tmp);
      }
    }
    at = end;
  }
  log::info(path_ + ": an earlier run was cut before its UIDs were on record: " + std::to_string(kept) +
            " of its messages are in the queue, " + std::to_string(again) + " will be taken again");
  // On record now, so that the reader may take the files meanwhile.
  save(uids_);
}

void UidMemory::set_validity(const std::string& validity) {
  if (validity == validity_) return;
  if (!uids_.empty()) {
    log::warning(identity_ + ": UIDVALIDITY is " + validity + ", was " + validity_ + "; forgetting the " +
                 std::to_string(uids_.size()) + " UIDs recorded in " + path_ + " (their messages may be taken again)");
  }
  uids_.clear();
  validity_ = validity;
}

void UidMemory::save(std::set<std::string> uids, const std::multimap<std::string, std::string>& pending) {
  std::string text = std::string(magic) + "\nsource " + identity_ + "\nuidvalidity " + validity_ + "\n";
  for (const auto& uid : uids) text += "uid " + uid + "\n";
  for (const auto& [uid, name] : pending) text += "pending " + uid + " " + name + "\n";
  // We hold the lock: one fixed name beside the file serves.
  std::string fresh = path_ + ".new";
  util::Fd fd(::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600));
  if (!fd.valid()) throw system_error(Exit::ioerr, "cannot write " + fresh);
  if (!util::write_fully(fd.get(), text) || fsync(fd.get()) != 0) {
    int err = errno;
    fd.close();
    ::unlink(fresh.c_str());
    throw system_error(Exit::ioerr, "cannot write " + fresh, err);
  }
  if (!fd.close() || ::rename(fresh.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(fresh.c_str());
    throw system_error(Exit::ioerr, "cannot replace " + path_, err);
  }
  sync_directory(queue_);
  uids_ = std::move(uids);
}

}  // namespace forumgate::spool
