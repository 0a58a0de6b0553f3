#include "process/signals.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "process/command.hpp"
#include "util/error.hpp"

extern char** environ;

namespace forumgate::process {
namespace {

constexpr int forwarded[] = {SIGINT, SIGTERM, SIGHUP};

volatile std::sig_atomic_t last_caught = 0;

void on_signal(int sig) { last_caught = sig; }

sigset_t& caught_set() {
  static sigset_t set = [] {
    sigset_t empty;
    sigemptyset(&empty);
    return empty;
  }();
  return set;
}

}  // namespace

ForwardedSignals::ForwardedSignals() {
  last_caught = 0;
  sigprocmask(SIG_SETMASK, nullptr, &entry_mask_);
  sigemptyset(&held_);
  sigaddset(&held_, SIGCHLD);

  // An inherited "ignore SIGCHLD" would make the kernel reap the command
  // before we could read its status.
  signal(SIGCHLD, SIG_DFL);

  for (int sig : forwarded) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;  // no SA_RESTART: a blocking lock call returns EINTR
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
    replaced_.emplace_back(sig, old);
    sigaddset(&held_, sig);
    sigaddset(&caught_set(), sig);
  }
}

ForwardedSignals::~ForwardedSignals() {
  for (auto& [sig, old] : replaced_) {
    sigaction(sig, &old, nullptr);
    sigdelset(&caught_set(), sig);
  }
  sigprocmask(SIG_SETMASK, &entry_mask_, nullptr);
}

const volatile std::sig_atomic_t* ForwardedSignals::cancel_flag() const { return &last_caught; }

int ForwardedSignals::caught() const { return last_caught; }

pid_t ForwardedSignals::spawn(const std::vector<std::string>& argv) {
  sigprocmask(SIG_BLOCK, &held_, nullptr);
  if (last_caught != 0) return 0;

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  // exec resets our handlers to the default action; the mask must be reset
  // by hand.
  pid_t pid = 0;
  int err = start_command(find_program(argv[0]), args, environ, -1, &entry_mask_, pid);
  if (err == ENOENT || err == ENOTDIR) {
    throw system_error(Exit::command_not_found, "cannot run " + argv[0], err);
  }
  if (err != 0) throw system_error(Exit::cannot_execute, "cannot run " + argv[0], err);
  return pid;
}

int ForwardedSignals::wait(pid_t child, std::chrono::seconds interval, const std::function<void()>& tick) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) return exit_status_of(status);
    if (r < 0 && errno != EINTR) throw system_error(Exit::software, "waitpid");

    timespec timeout{static_cast<time_t>(interval.count()), 0};
    int sig = sigtimedwait(&held_, nullptr, interval.count() > 0 ? &timeout : nullptr);
    if (sig < 0) {
      if (errno == EAGAIN && tick) tick();
      continue;
    }
    if (sig != SIGCHLD) kill(child, sig);
  }
}

sigset_t caught_signals() { return caught_set(); }

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 128;
}

}  // namespace forumgate::process
