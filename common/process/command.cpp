#include "process/command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

#include "cli/error.hpp"
#include "process/signals.hpp"
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

int run_with_input(const std::vector<std::string>& argv,
                   std::initializer_list<std::string_view> input,
                   const std::vector<std::string>& extra_env) {
  if (argv.empty()) throw Error(Exit::usage, "empty command");
  return run_with_input(argv[0], argv, input, extra_env);
}

int run_with_input(const std::string& program, const std::vector<std::string>& argv,
                   std::initializer_list<std::string_view> input,
                   const std::vector<std::string>& extra_env) {
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
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[0], STDIN_FILENO);
  pid_t pid = 0;
  int err = program.find('/') != std::string::npos
                ? posix_spawn(&pid, program.c_str(), &actions, nullptr, args.data(), env.data())
                : posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipefd[0]);
  if (err != 0) {
    ::close(pipefd[1]);
    throw system_error(err == ENOENT || err == ENOTDIR ? Exit::command_not_found : Exit::cannot_execute,
                       "cannot run " + argv[0], err);
  }

  // The command may stop reading early: that is its business, not an error,
  // so SIGPIPE is ignored while we write and EPIPE ends the writing.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  for (std::string_view piece : input) {
    while (!piece.empty()) {
      ssize_t n = ::write(pipefd[1], piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      piece.remove_prefix(static_cast<size_t>(n));
    }
  }
  ::close(pipefd[1]);
  sigaction(SIGPIPE, &old, nullptr);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw system_error(Exit::software, "waitpid");
  }
  return exit_status_of(status);
}

}  // namespace forumgate::process
