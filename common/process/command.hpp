#pragma once
// Running a command once per message (mailsplit --exec).

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

// Runs argv (searched in PATH) with input on its standard input and the
// extra NAME=VALUE pairs added to our environment; returns its exit status,
// 128+N when signal N ended it. A command that does not read all its input
// is not an error: its status decides. Throws Error(127) when the command
// is not found, Error(126) when it cannot be executed.
int run_with_input(const std::vector<std::string>& argv,
                   std::initializer_list<std::string_view> input,
                   const std::vector<std::string>& extra_env);

}  // namespace forumgate::process
