#pragma once
// The command-line conventions every forumgate program shares, and the edge
// where errors become exit statuses.
//
// Shared options: -h/--help, --version, -v/--verbose (twice for debug),
// -q/--quiet, --config FILE, --syslog. The config file is read with CLI11:
// an INI file with one section per program ([lockrun], [mailsplit], ...),
// keys named after the long options. It defaults to $FORUMGATE_CONFIG, else
// /etc/forumgate.conf when that file exists.
//
// Exit statuses: 0 for --help and --version, 64 for a bad command line, 78 for
// an unreadable config file, an Error's own status, 70 for anything else.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace forumgate::cli {

// $FORUMGATE_CONFIG when set, else /etc/forumgate.conf.
std::string default_config_path();

class Program {
 public:
  Program(std::string name, std::string description);

  CLI::App& app() { return app_; }
  // The synopsis after "Usage: NAME" in --help, e.g. "[OPTIONS] LOCK [--] COMMAND [ARGS...]".
  void usage(const std::string& synopsis);
  const std::string& name() const { return name_; }

  // Parses argv, sets up logging, then runs body and returns the exit status
  // it chose. Never throws. exit_edge, when given, sees every status before
  // it is returned, whatever ended the run (a bad option, the config file,
  // an Error, body's own), and returns the one to exit with.
  int run(int argc, char** argv, const std::function<int()>& body, const std::function<int(int)>& exit_edge = nullptr);

 private:
  void setup_logging() const;
  int run_body(int argc, char** argv, const std::function<int()>& body);

  std::string name_;
  CLI::App app_;
  int verbose_ = 0;
  bool quiet_ = false;
  bool syslog_ = false;
};

}  // namespace forumgate::cli
