#pragma once
// Running a command on behalf of the user, passing it the signals meant for
// it. Used by lockrun (and mailsplit --exec).
//
// Every signal that would end the program and can be caught (SIGHUP,
// SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGXFSZ,
// the real-time signals...; not SIGKILL, not the faults) is caught from
// construction on: while a lock is still being waited for, a caught signal
// cancels the wait (see cancel_flag()), so lockrun and mailsplit can release
// what they hold and exit 128+N instead of dying with a dotlock left behind.
// While the command runs they are forwarded to it, so that it never runs on
// without the lock. A SIGPIPE of our own write to a closed pipe (a closed
// stderr) ends nothing: the write fails with EPIPE, handled where it is
// made; one sent by another process is as the others. A signal
// ignored on entry (a background job's SIGINT) stays ignored, for us and
// for the command.

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <vector>

namespace forumgate::process {

class ForwardedSignals {
 public:
  ForwardedSignals();
  ~ForwardedSignals();
  ForwardedSignals(const ForwardedSignals&) = delete;
  ForwardedSignals& operator=(const ForwardedSignals&) = delete;

  // Non-zero once one of the signals has been caught: the last one caught.
  const volatile std::sig_atomic_t* cancel_flag() const;
  int caught() const;

  // Starts argv (searched in PATH) with the signal mask we had on entry.
  // From here on the signals are held for wait(); if one was caught before
  // the command could start, it is not started and 0 is returned.
  // Throws Error(127) when the command is not found, Error(126) when it cannot
  // be executed.
  pid_t spawn(const std::vector<std::string>& argv);

  // Waits for the command, forwarding the signals to it and calling tick
  // every interval (when non-zero). Returns its exit status, or 128+N when
  // signal N ended it.
  int wait(pid_t child, std::chrono::seconds interval, const std::function<void()>& tick);

 private:
  sigset_t entry_mask_{};
  sigset_t held_{};
  std::vector<std::pair<int, struct sigaction>> replaced_;
};

// The signals a ForwardedSignals now catches with a handler of ours. A
// command we start shares our memory until its exec (run_with_input), so
// these, and only these, are set back to SIG_DFL in it first.
sigset_t caught_signals();

// The number of the last signal a ForwardedSignals caught; 0 for none.
int last_caught_signal();

// The shell's convention for a wait status: the exit status, or 128+N.
int exit_status_of(int wait_status);

}  // namespace forumgate::process
