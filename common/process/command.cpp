#include "process/command.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "process/signals.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"

extern char** environ;

namespace forumgate::process {

std::vector<std::string> command_argv(const std::string& cmd) {
  if (cmd.find_first_of("|&;<>()$`\\\"'*?[#~=%\n") != std::string::npos) {
    return {"/bin/sh", "-c", cmd};
  }
  std::vector<std::string> words;
  for (std::string_view w : util::split_blanks(cmd)) words.emplace_back(w);
  return words;
}

std::string find_program(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/bin:/usr/bin";
  for (;;) {
    size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return name;
    dirs.remove_prefix(colon + 1);
  }
}

namespace {

// What the child does between clone(2) and its exec, on a stack of its own
// but in our memory: async-signal-safe calls only, and no return.
struct ChildSetup {
  const char* program;
  char* const* argv;
  char* const* script_argv;  // {"/bin/sh", program, argv[1]...}: see below
  char* const* envp;
  int input;
  sigset_t mask;        // the command's signal mask
  sigset_t to_default;  // the signals we catch (caught_signals())
  int exec_error = 0;   // set by the child when the exec fails
};

int become_command(void* setup) {
  auto* c = static_cast<ChildSetup*>(setup);
  // Every signal is blocked here; before any is let through, the ones with
  // a handler of ours go back to SIG_DFL, or the handler would run in the
  // child, on our memory. The others keep their disposition, as an exec
  // keeps it: what was ignored when we started stays ignored.
  struct sigaction by_default {};
  by_default.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sigismember(&c->to_default, sig) == 1) sigaction(sig, &by_default, nullptr);
  // With our own standard input closed, the pipe may be fd 0 already:
  // dup2 then does nothing, and its close-on-exec would stay.
  if (c->input == STDIN_FILENO ? fcntl(STDIN_FILENO, F_SETFD, 0) < 0
                               : c->input >= 0 && dup2(c->input, STDIN_FILENO) < 0) {
    c->exec_error = errno;
    _exit(127);
  }
  sigprocmask(SIG_SETMASK, &c->mask, nullptr);
  execve(c->program, c->argv, c->envp);
  // A script without "#!": the shell runs it, as execvp(3) does.
  if (errno == ENOEXEC) execve(c->script_argv[0], c->script_argv, c->envp);
  c->exec_error = errno;
  _exit(127);
}

}  // namespace

int start_command(const std::string& program, const std::vector<char*>& argv, char* const* envp, int input,
                  const sigset_t* mask, pid_t& pid) {
  if (program.find('/') == std::string::npos) return ENOENT;  // not found in PATH
  std::vector<char*> script_argv{const_cast<char*>("/bin/sh"), const_cast<char*>(program.c_str())};
  if (!argv.empty()) script_argv.insert(script_argv.end(), argv.begin() + 1, argv.end());
  ChildSetup setup{program.c_str(), argv.data(), script_argv.data(), envp, input, {}, caught_signals()};
  sigset_t all, ours;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &ours);
  setup.mask = mask ? *mask : ours;
  // CLONE_VFORK: we go on once the command has replaced the child, or it
  // has failed to; the stack is needed until then only.
  constexpr size_t stack_size = 64 * 1024;
  auto stack = std::make_unique_for_overwrite<char[]>(stack_size);
  pid = clone(become_command, stack.get() + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &setup);
  const int clone_error = errno;
  pthread_sigmask(SIG_SETMASK, &ours, nullptr);
  if (pid < 0) return clone_error;
  if (setup.exec_error != 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return setup.exec_error;
  }
  return 0;
}

int run_with_input(const std::vector<std::string>& argv, std::initializer_list<std::string_view> input,
                   const std::vector<std::string>& extra_env) {
  if (argv.empty()) throw Error(Exit::usage, "empty command");
  return run_with_input(find_program(argv[0]), argv, input, extra_env);
}

int run_with_input(const std::string& program, const std::vector<std::string>& argv,
                   std::initializer_list<std::string_view> input, const std::vector<std::string>& extra_env) {
  if (argv.empty()) throw Error(Exit::usage, "empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // An inherited variable of the same name must not shadow ours.
  auto overridden = [&](const char* e) {
    for (const auto& x : extra_env) {
      size_t eq = x.find('=');
      if (std::strncmp(e, x.c_str(), eq + 1) == 0) return true;
    }
    return false;
  };
  std::vector<char*> env;
  for (char** e = environ; *e; ++e)
    if (!overridden(*e)) env.push_back(*e);
  for (const auto& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  // An inherited "ignore SIGCHLD" makes the kernel reap the command before
  // we could read its status.
  signal(SIGCHLD, SIG_DFL);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw system_error(Exit::software, "pipe");
  util::Fd read_end(pipefd[0]), write_end(pipefd[1]);
  pid_t pid = 0;
  const int err = start_command(program, args, env.data(), read_end.get(), nullptr, pid);
  read_end.close();
  if (err != 0) {
    throw system_error(err == ENOENT || err == ENOTDIR ? Exit::command_not_found : Exit::cannot_execute,
                       "cannot run " + argv[0], err);
  }

  // The command may stop reading early: that is its business, not an error,
  // so SIGPIPE is ignored while we write and EPIPE ends the writing.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  for (std::string_view piece : input) {
    while (!piece.empty()) {
      ssize_t n = ::write(write_end.get(), piece.data(), piece.size());
      if (n < 0 && errno == EINTR && !util::stop_requested()) continue;
      if (n < 0) break;
      piece.remove_prefix(static_cast<size_t>(n));
    }
  }
  write_end.close();
  sigaction(SIGPIPE, &old, nullptr);

  int status = 0;
  bool told = false;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw system_error(Exit::software, "waitpid");
    // Told to stop while it runs (util::stop_io_when): so is the command,
    // once, and it is waited for.
    if (!told && util::stop_requested()) {
      kill(pid, last_caught_signal());
      told = true;
    }
  }
  return exit_status_of(status);
}

}  // namespace forumgate::process
