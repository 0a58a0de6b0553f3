// The sendmail(1) interface: every MTA has one, and it takes the message
// whole or not at all (its exit status says which).

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>

#include "notify/sender.hpp"
#include "process/command.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

extern char** environ;

namespace forumgate::notify {
namespace {

class SendmailSender : public Sender {
 public:
  SendmailSender(const std::string& command, unsigned parallel, bool verp)
      : argv_(process::command_argv(command)), parallel_(parallel ? parallel : 1) {
    if (argv_.empty()) throw Error(Exit::usage, "--sendmail: no command");
    if (verp) argv_.push_back("-XV");
    program_ = process::find_program(argv_[0]);
    // An inherited "ignore SIGCHLD" would have the kernel reap them first.
    signal(SIGCHLD, SIG_DFL);
  }
  ~SendmailSender() override {
    // Still running only when an exception left: let them finish, as the
    // MTA may well take what they carry.
    while (!running_.empty()) {
      int status;
      while (waitpid(running_.front().pid, &status, 0) < 0 && errno == EINTR) {
      }
      running_.pop_front();
    }
  }

  void wait_for_room() override {
    while (running_.size() >= parallel_) wait_oldest();
  }

  void send(std::uint64_t tag, const Envelope& envelope, std::shared_ptr<const std::string> message) override {
    wait_for_room();
    // The message from a memory file: the command reads it at its own pace
    // while we start the next.
    util::Fd input(::memfd_create("forumnotify", MFD_CLOEXEC));
    if (!input.valid()) throw system_error(Exit::software, "memfd_create");
    util::write_all(input.get(), *message, "the message for sendmail");
    if (::lseek(input.get(), 0, SEEK_SET) != 0) throw system_error(Exit::software, "lseek");
    std::vector<std::string> words = argv_;
    words.insert(words.end(), {"-f", envelope.sender, "--"});
    words.insert(words.end(), envelope.recipients.begin(), envelope.recipients.end());
    std::vector<char*> args;
    for (auto& w : words) args.push_back(w.data());
    args.push_back(nullptr);
    pid_t pid = 0;
    if (int err = process::start_command(program_, args, environ, input.get(), nullptr, pid)) {
      Outcome o;
      o.reason = "cannot run " + argv_[0] + ": " + std::strerror(err);
      if (done_) done_(tag, o);
      return;
    }
    running_.push_back({pid, tag});
  }

  void flush() override {
    while (!running_.empty()) wait_oldest();
  }

 private:
  struct Running {
    pid_t pid;
    std::uint64_t tag;
  };

  void wait_oldest() {
    Running r = running_.front();
    running_.pop_front();
    int status = 0;
    while (waitpid(r.pid, &status, 0) < 0)
      if (errno != EINTR) throw system_error(Exit::software, "waitpid");
    Outcome o;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      o.answer = Answer::accepted;
    } else {
      // Whatever sendmail says, the MTA does not have the message: it
      // waits for the next run (a bad address is the MTA's to bounce).
      o.answer = Answer::deferred;
      o.reason = argv_[0] + (WIFEXITED(status) ? " exited with " + std::to_string(WEXITSTATUS(status))
                                               : " was killed by signal " + std::to_string(WTERMSIG(status)));
    }
    if (done_) done_(r.tag, o);
  }

  std::vector<std::string> argv_;
  std::string program_;
  unsigned parallel_;
  std::deque<Running> running_;
};

}  // namespace

std::unique_ptr<Sender> sendmail_sender(const std::string& command, unsigned parallel, bool verp) {
  return std::make_unique<SendmailSender>(command, parallel, verp);
}

}  // namespace forumgate::notify
