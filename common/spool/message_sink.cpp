#include "spool/message_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "cli/log.hpp"
#include "process/command.hpp"
#include "spool/write_behind.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {

std::string numbered_name(int width, uint64_t number);

namespace {

// The Maildir is made when the first message comes, so that a source found
// not to be an mbox leaves nothing behind; whether it can be made is checked
// at once, so that a queue we cannot write is reported before any reading.
class QueueSink final : public MessageSink {
 public:
  explicit QueueSink(std::string maildir) : path_(std::move(maildir)) {
    std::string dir = path_;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (access(dir.c_str(), F_OK) != 0) {
      auto slash = dir.rfind('/');
      dir = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
    }
    if (access(dir.c_str(), W_OK | X_OK) != 0) {
      throw system_error(Exit::cantcreat, "cannot create or write the queue " + path_);
    }
    check_private_queue(path_);
  }
  Placement add(const OutgoingMessage& m) override {
    if (!writer_) writer_ = std::make_unique<MaildirWriter>(path_, WriteBehind::Thread::by_cpus);
    std::string name = writer_->add(m.prefix, m.data, m.flags, m.owner);
    batch_.push_back({name, std::string(m.key)});
    // Commit in batches, so that memory does not grow with the number of
    // messages. The source is still given up only after the last batch; a
    // failure after an earlier one leaves those messages in both places
    // (a remote source's UID record knows them; the Message-ID key absorbs
    // an mbox's).
    if (batch_.size() >= batch) commit_batch();
    return {"tmp/" + name};
  }
  void commit(bool) override {
    if (writer_) commit_batch();
  }
  void rollback() override {
    if (writer_) writer_->rollback();
    batch_.clear();
  }
  void on_commit(CommitHooks hooks) override { hooks_ = std::move(hooks); }
  bool durable() const override { return true; }
  std::string queue_path() const override { return path_; }

 private:
  void commit_batch() {
    if (hooks_.before && !batch_.empty()) hooks_.before(batch_);
    writer_->commit();
    std::vector<Batched> done = std::move(batch_);
    batch_.clear();
    if (hooks_.after && !done.empty()) hooks_.after(done);
  }

  static constexpr size_t batch = 1024;
  std::string path_;
  std::unique_ptr<MaildirWriter> writer_;
  std::vector<Batched> batch_;  // added since the last commit
  CommitHooks hooks_;
};

class NumberedFilesSink final : public MessageSink {
 public:
  NumberedFilesSink(std::string dir, int width, uint64_t first) : dir_(std::move(dir)), width_(width), next_(first) {
    if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
      throw system_error(Exit::cantcreat, "cannot create " + dir_);
    }
    if (access(dir_.c_str(), W_OK) != 0) throw system_error(Exit::cantcreat, "cannot write into " + dir_);
    // Files are made from here, without the kernel walking dir_ for each.
    dir_fd_ = util::Fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd_.valid()) throw system_error(Exit::cantcreat, "cannot open " + dir_);
  }
  ~NumberedFilesSink() override { rollback(); }
  Placement add(const OutgoingMessage& m) override {
    std::string name = numbered_name(width_, next_++);
    std::string path = dir_ + "/" + name;
    // Never over a file of an earlier run: after a drain it is the only copy.
    added_ = true;
    writes_.write({dir_fd_.get(), name, std::move(path), "give -f N to number on, or another -o DIR"}, m.prefix, m.data,
                  m.owner);
    return {name};
  }
  void commit(bool durable) override {
    writes_.finish();
    if (added_ && durable && (syncfs(dir_fd_.get()) != 0 || fsync(dir_fd_.get()) != 0)) {
      throw system_error(Exit::ioerr, "cannot sync " + dir_);  // the rollback still knows the files
    }
    writes_.take_created();  // committed: the rollback's no more
    added_ = false;
  }
  void rollback() override {
    writes_.settle();
    for (const auto& name : writes_.take_created()) ::unlinkat(dir_fd_.get(), name.c_str(), 0);
  }
  bool durable() const override { return true; }

 private:
  std::string dir_;
  util::Fd dir_fd_;
  int width_;
  uint64_t next_;
  bool added_ = false;  // since the last commit
  WriteBehind writes_;  // makes the files, and knows which it made since the last commit
};

// mboxrd: every line that matches ^>*From  gets one more '>', so that a
// reader can give back exactly what was written.
class MboxrdStreamSink final : public MessageSink {
 public:
  explicit MboxrdStreamSink(int fd) : fd_(fd) {
    struct stat st {};
    durable_ = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  }
  Placement add(const OutgoingMessage& m) override {
    out_.append(m.from_line).push_back('\n');
    quote_into(m.prefix);
    quote_into(m.data);
    if (!m.data.empty() && m.data.back() != '\n') out_.push_back('\n');
    out_.push_back('\n');
    if (out_.size() >= (1u << 20)) flush();
    return {"-"};
  }
  void commit(bool durable) override {
    flush();
    if (durable && durable_ && fsync(fd_) != 0) throw system_error(Exit::ioerr, "cannot sync standard output");
  }
  void rollback() override { out_.clear(); }
  bool durable() const override { return durable_; }

 private:
  void quote_into(std::string_view data) {
    size_t pos = 0;
    while (pos < data.size()) {
      size_t nl = data.find('\n', pos);
      size_t end = nl == std::string_view::npos ? data.size() : nl + 1;
      std::string_view line = data.substr(pos, end - pos);
      size_t n = 0;
      while (n < line.size() && line[n] == '>') ++n;
      if (line.substr(n, 5) == "From ") out_.push_back('>');
      out_.append(line);
      pos = end;
    }
  }
  void flush() {
    util::write_all(fd_, out_, "standard output");
    out_.clear();
  }

  int fd_;
  bool durable_ = false;
  std::string out_;
};

class ExecSink final : public MessageSink {
 public:
  ExecSink(const std::string& command, std::string source, int width, uint64_t first)
      : argv_(process::command_argv(command)), source_(std::move(source)), width_(width), next_(first) {
    if (argv_.empty()) throw Error(Exit::usage, "--exec needs a command");
  }
  Placement add(const OutgoingMessage& m) override {
    std::string number = numbered_name(width_, next_++);
    if (program_.empty()) program_ = process::find_program(argv_[0]);
    int status = process::run_with_input(program_, argv_, {m.prefix, m.data},
                                         {"FILENO=" + number, "MAILSPLIT_SOURCE=" + source_});
    if (status == 0) return {argv_.back() + " took message " + number};
    if ((status == 126 || status == 127) && argv_[0] == "/bin/sh") {
      // The shell's way of saying it could not run the command: no message
      // will fare better, so stop here rather than decline them all.
      throw Error(status == 127 ? Exit::command_not_found : Exit::cannot_execute,
                  "--exec: the shell could not run: " + argv_.back());
    }
    log::warning("message " + number + ": " + argv_[0] + " exited " + std::to_string(status) +
                 "; the message stays in " + source_);
    return {argv_[0] + " failed", false};
  }
  void commit(bool) override {}
  void rollback() override {}
  bool durable() const override { return true; }

 private:
  std::vector<std::string> argv_;
  std::string program_;  // argv_[0] found in PATH, at the first message
  std::string source_;
  int width_;
  uint64_t next_;
};

class CountSink final : public MessageSink {
 public:
  Placement add(const OutgoingMessage&) override { return {"counted"}; }
  void commit(bool) override {}
  void rollback() override {}
  bool durable() const override { return false; }
  bool wants_data() const override { return false; }
};

}  // namespace

std::string numbered_name(int width, uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "%0*llu", width, static_cast<unsigned long long>(number));
  return name;
}

std::unique_ptr<MessageSink> exec_sink(const std::string& command, const std::string& source, int width,
                                       uint64_t first) {
  return std::make_unique<ExecSink>(command, source, width, first);
}

std::unique_ptr<MessageSink> queue_sink(const std::string& maildir) { return std::make_unique<QueueSink>(maildir); }
std::unique_ptr<MessageSink> numbered_files_sink(const std::string& dir, int width, uint64_t first) {
  return std::make_unique<NumberedFilesSink>(dir, width, first);
}
std::unique_ptr<MessageSink> mboxrd_stream_sink(int fd) { return std::make_unique<MboxrdStreamSink>(fd); }
std::unique_ptr<MessageSink> count_sink() { return std::make_unique<CountSink>(); }

}  // namespace forumgate::spool
