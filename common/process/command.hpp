#pragma once
// Starting commands: mailsplit --exec's, forumpost's sendmail, lockrun's.

#include <sys/types.h>

#include <csignal>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace forumgate::process {

// The argv for a command line given as one string: its words split at
// blanks when it uses no shell syntax, else {"/bin/sh", "-c", cmd}. So a
// plain command runs without a shell, and a command that wants one (a pipe,
// a redirection, quotes, $VAR) gets it. (git's run-command makes the same
// choice.)
std::vector<std::string> command_argv(const std::string& cmd);

// Where execvp(3) would find name: itself when it has a '/', else the
// first executable regular file of that name in PATH; name itself when
// there is none (running it then fails as execvp would). Looked up once,
// a command run for each of 12,000 messages does not walk PATH each time.
std::string find_program(const std::string& name);

// Starts program (a path, as find_program gives it; ENOENT without a '/')
// with argv (null-terminated) and envp: its standard input dup'ed from input
// (-1: ours), its signal mask mask (nullptr: ours). The signals we catch
// (caught_signals()) are at SIG_DFL in it, all others as we have them; a
// file without "#!" runs under /bin/sh, as with execvp(3). glibc's
// posix_spawn(3) would leave its internal signals 32 and 33 ignored in the
// command, and asks about all 64 signals each time. Returns 0, or the errno
// of a failed start (the child then reaped).
int start_command(const std::string& program, const std::vector<char*>& argv, char* const* envp, int input,
                  const sigset_t* mask, pid_t& pid);

// Runs argv (searched in PATH) with input on its standard input and the
// extra NAME=VALUE pairs added to our environment; returns its exit status,
// 128+N when signal N ended it. A command that does not read all its input
// is not an error: its status decides. Throws Error(127) when the command
// is not found, Error(126) when it cannot be executed.
int run_with_input(const std::vector<std::string>& argv, std::initializer_list<std::string_view> input,
                   const std::vector<std::string>& extra_env);
// The same, running program (from find_program) with argv.
int run_with_input(const std::string& program, const std::vector<std::string>& argv,
                   std::initializer_list<std::string_view> input, const std::vector<std::string>& extra_env);

}  // namespace forumgate::process
