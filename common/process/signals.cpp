#include "process/signals.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "process/command.hpp"
#include "util/error.hpp"

extern char** environ;

namespace forumgate::process {
namespace {

// Every signal whose default action ends the process and that someone can
// send us (kill, a terminal, a timer, a resource limit), besides SIGKILL;
// not the faults (SIGSEGV, SIGBUS...), after which nothing is to be
// trusted. The real-time signals end a process by default too.
std::vector<int> ending_signals() {
  std::vector<int> sigs = {SIGHUP,    SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
                           SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO,   SIGPWR,  SIGSTKFLT};
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigs.push_back(sig);
  return sigs;
}

volatile std::sig_atomic_t last_caught = 0;

void on_signal(int sig) { last_caught = sig; }

// SIGPIPE from a write of ours to a pipe nobody reads any more (a closed
// stderr) ends nothing: the write fails with EPIPE, handled where it is
// made, and a lock holder lives on. Such a SIGPIPE comes from the kernel in
// our own name (si_pid is ours); one that another process sends is a
// request to end, as any other. A handler, not SIG_IGN, so that a command
// we start gets SIGPIPE's default action back from exec.
volatile std::sig_atomic_t pipe_sent = 0;

void on_pipe(int sig, siginfo_t* info, void*) {
  if (info == nullptr || info->si_pid == getpid()) return;
  last_caught = sig;
  pipe_sent = 1;
}

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
  pipe_sent = 0;
  sigprocmask(SIG_SETMASK, nullptr, &entry_mask_);
  sigemptyset(&held_);
  sigaddset(&held_, SIGCHLD);

  // An inherited "ignore SIGCHLD" would make the kernel reap the command
  // before we could read its status.
  signal(SIGCHLD, SIG_DFL);

  for (int sig : ending_signals()) {
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
  struct sigaction old {};
  sigaction(SIGPIPE, nullptr, &old);
  if (old.sa_handler != SIG_IGN) {
    struct sigaction sa {};
    sa.sa_sigaction = on_pipe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, nullptr);
    replaced_.emplace_back(SIGPIPE, old);
    sigaddset(&caught_set(), SIGPIPE);
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

    // SIGPIPE is not held (see on_pipe): one sent to us, caught before the
    // wait or during it (which it then interrupted), goes on to the command.
    if (pipe_sent) {
      pipe_sent = 0;
      kill(child, SIGPIPE);
    }
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

int last_caught_signal() { return last_caught; }

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 128;
}

}  // namespace forumgate::process
