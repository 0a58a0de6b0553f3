#include "spool/maildir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {
namespace {

bool is_dir(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void make_dir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    throw system_error(Exit::cantcreat, "cannot create " + path);
  }
}

// maildir(5) wants '/' and ':' out of the host part.
std::string safe_host() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) return "localhost";
  std::string out;
  for (char c : std::string(host)) {
    if (c == '/') out += "\\057";
    else if (c == ':') out += "\\072";
    else out += c;
  }
  return out;
}

// "SECONDS.<unique>.host" names (maildir(5)) in delivery order: the
// microseconds are the Musec part of <unique>, which may follow other parts
// (Postfix: VdevIinodeMusec, device and inode in lower-case hex; Courier and
// Dovecot: MusecPpid...) and is not zero-padded by every writer (Dovecot's
// is not), so it is found and compared as a number; other names fall back
// to comparing as strings.
struct DeliveryTime {
  unsigned long long sec = 0, usec = 0;
};
DeliveryTime delivery_time(const std::string& name) {
  DeliveryTime t;
  char* end = nullptr;
  t.sec = std::strtoull(name.c_str(), &end, 10);
  if (!end || *end != '.') return t;
  for (const char* p = end + 1; *p && *p != '.'; ++p) {
    if (*p == 'M' && p[1] >= '0' && p[1] <= '9') {
      t.usec = std::strtoull(p + 1, nullptr, 10);
      break;
    }
  }
  return t;
}
bool delivered_before(const std::string& a, const std::string& b) {
  DeliveryTime ta = delivery_time(a), tb = delivery_time(b);
  if (ta.sec != tb.sec) return ta.sec < tb.sec;
  if (ta.usec != tb.usec) return ta.usec < tb.usec;
  return a < b;
}

}  // namespace

bool is_maildir(const std::string& path) {
  return is_dir(path + "/cur") && is_dir(path + "/new") && is_dir(path + "/tmp");
}

std::vector<std::string> maildir_messages(const std::string& maildir) {
  std::vector<std::string> out;
  for (const char* sub : {"new", "cur"}) {
    std::string dir = maildir + "/" + sub;
    DIR* d = opendir(dir.c_str());
    if (!d) throw system_error(Exit::noinput, "cannot read " + dir);
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      names.emplace_back(e->d_name);
    }
    closedir(d);
    std::sort(names.begin(), names.end(), delivered_before);
    for (auto& n : names) out.push_back(dir + "/" + n);
  }
  return out;
}

void check_private_queue(const std::string& maildir) {
  struct stat st {};
  if (stat(maildir.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  throw Error(Exit::config, "the queue " + maildir + " is open to others (mode " + util::file_mode(st.st_mode) +
                                "); a queue must be private: chmod 700 " + maildir);
}

void sync_directory(const std::string& dir) {
  util::Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) throw system_error(Exit::ioerr, "cannot open " + dir);
  if (fsync(fd.get()) != 0) throw system_error(Exit::ioerr, "cannot sync " + dir);
}

MaildirWriter::MaildirWriter(std::string maildir, WriteBehind::Thread files)
    : path_(std::move(maildir)), host_(safe_host()), pid_(std::to_string(getpid())), writes_(files) {
  make_dir(path_);
  for (const char* sub : {"/tmp", "/new", "/cur"}) make_dir(path_ + sub);
  dir_fd_ = util::Fd(::open((path_ + "/tmp").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd_.valid()) throw system_error(Exit::cantcreat, "cannot open " + path_ + "/tmp");
  if (faccessat(dir_fd_.get(), ".", W_OK, AT_EACCESS) != 0 || access((path_ + "/new").c_str(), W_OK) != 0) {
    throw system_error(Exit::cantcreat, "cannot write into " + path_);
  }
}

MaildirWriter::~MaildirWriter() { rollback(); }

// time.MusecPpidQcounter.host,S=size: unique per maildir(5) (time, pid and a
// counter within the process), with Courier's and Dovecot's size field.
std::string MaildirWriter::unique_name(size_t size) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  char usec[8];
  std::snprintf(usec, sizeof usec, "%06ld", static_cast<long>(tv.tv_usec));  // names sort as times
  return std::to_string(tv.tv_sec) + ".M" + usec + "P" + pid_ + "Q" + std::to_string(++counter_) + "." + host_ +
         ",S=" + std::to_string(size);
}

std::string MaildirWriter::add(std::string_view prefix, std::string_view data, std::optional<std::string_view> flags,
                               std::string* owner) {
  std::string name = unique_name(prefix.size() + data.size());
  pending_.push_back({name, flags ? std::optional<std::string>(*flags) : std::nullopt});
  writes_.write({dir_fd_.get(), name, path_ + "/tmp/" + name, ""}, prefix, data, owner);
  return name;
}

std::vector<std::string> MaildirWriter::commit() {
  std::vector<std::string> published;
  if (pending_.empty()) return published;
  writes_.finish();
  // One syncfs for the whole batch instead of an fsync per message.
  if (syncfs(dir_fd_.get()) != 0) throw system_error(Exit::ioerr, "cannot sync " + path_);
  bool into_new = false, into_cur = false;
  for (const auto& p : pending_) {
    const char* sub = p.flags ? "/cur/" : "/new/";
    std::string to = path_ + sub + p.name + (p.flags ? ":2," + *p.flags : "");
    if (rename((path_ + "/tmp/" + p.name).c_str(), to.c_str()) != 0) {
      throw system_error(Exit::ioerr, "cannot move " + p.name + " into " + path_ + sub);
    }
    (p.flags ? into_cur : into_new) = true;
    published.push_back(std::move(to));
  }
  pending_.clear();
  writes_.take_created();  // no longer in tmp/: none for a rollback to remove
  if (into_new) sync_directory(path_ + "/new");
  if (into_cur) sync_directory(path_ + "/cur");
  return published;
}

void MaildirWriter::rollback() {
  writes_.settle();
  // Only the files this batch made: a name whose file could not be made
  // (one of the same name was there) is not ours to remove.
  for (const auto& name : writes_.take_created()) unlinkat(dir_fd_.get(), name.c_str(), 0);
  pending_.clear();
}

}  // namespace forumgate::spool
