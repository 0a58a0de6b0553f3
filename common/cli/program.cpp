#include "cli/program.hpp"

#include <cstdlib>
#include <iostream>

#include "cli/log.hpp"
#include "util/error.hpp"
#include "version.hpp"

namespace forumgate::cli {

namespace {

// The [PROGRAM] section of an INI config file, keys named after long options.
// CLI11 2.1.2's own ConfigBase::section() applies only the first key of the
// section (it keeps the section as a parent of every later key, as if it
// named a subcommand), so the filtering is done here instead.
class SectionConfig : public CLI::ConfigBase {
 public:
  explicit SectionConfig(std::string section) : section_(std::move(section)) {}
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> kept;
    for (auto& item : CLI::ConfigBase::from_config(input)) {
      if (item.parents.empty() || item.parents.front() != section_ || item.name == "--") continue;
      item.parents.erase(item.parents.begin());
      if (item.parents.empty()) kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  std::string section_;
};

class UsageFormatter : public CLI::Formatter {
 public:
  explicit UsageFormatter(std::string synopsis) : synopsis_(std::move(synopsis)) {}
  std::string make_usage(const CLI::App*, std::string name) const override {
    return "Usage: " + name + " " + synopsis_ + "\n";
  }
  // "-w,--wait SECS" or "-s,--stale SECS=500": no validator names, no
  // "Excludes:" lists; the descriptions say what matters.
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string out;
    if (opt->get_type_size() != 0) {
      std::string type = opt->get_type_name();
      out += " " + type.substr(0, type.find(':'));  // CLI11 appends ":VALIDATOR"
      if (!opt->get_default_str().empty()) out += "=" + opt->get_default_str();
    }
    return out;
  }

 private:
  std::string synopsis_;
};

}  // namespace

std::string default_config_path() {
  const char* env = std::getenv("FORUMGATE_CONFIG");
  return env && *env ? env : "/etc/forumgate.conf";
}

Program::Program(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_) {
  app_.set_version_flag("--version", std::string(name_) + " (forumgate) " + forumgate::version);
  app_.add_flag("-v,--verbose", verbose_, "Say more: what is done, step by step (twice: debug)");
  app_.add_flag("-q,--quiet", quiet_, "Say nothing but errors")->excludes("--verbose");
  app_.add_flag("--syslog", syslog_, "Also log to syslog, facility mail");
  // Required=false: the default file is read only when it exists; a file
  // named with --config must exist.
  app_.set_config("--config", default_config_path(), "Read options from FILE, section [" + name_ + "]", false)
      ->type_name("FILE");
  app_.config_formatter(std::make_shared<SectionConfig>(name_));
}

void Program::usage(const std::string& synopsis) { app_.formatter(std::make_shared<UsageFormatter>(synopsis)); }

void Program::setup_logging() const {
  log::Settings s;
  s.program = name_;
  s.syslog = syslog_;
  if (quiet_) s.threshold = log::Level::error;
  else if (verbose_ >= 2) s.threshold = log::Level::debug;
  else if (verbose_ == 1) s.threshold = log::Level::info;
  log::configure(s);
}

int Program::run(int argc, char** argv, const std::function<int()>& body, const std::function<int(int)>& exit_edge) {
  int code = run_body(argc, argv, body);
  if (!exit_edge) return code;
  try {
    return exit_edge(code);
  } catch (...) {
    return code;
  }
}

int Program::run_body(int argc, char** argv, const std::function<int()>& body) {
  log::configure({name_, log::Level::notice, false});
  try {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::FileError& e) {
      log::error(std::string("config: ") + e.what());
      return status(Exit::config);
    } catch (const CLI::ConfigError& e) {
      log::error(std::string("config: ") + e.what());
      return status(Exit::config);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app_.exit(e);  // --help, --version, on stdout
      log::error(e.what());
      log::error("try '" + name_ + " --help' for more information");
      return status(Exit::usage);
    }
    setup_logging();
    return body();
  } catch (const Error& e) {
    log::error(e.what());
    if (e.status() == Exit::usage) log::error("try '" + name_ + " --help' for more information");
    return status(e.status());
  } catch (const std::bad_alloc&) {
    log::error("out of memory");
    return status(Exit::tempfail);
  } catch (const std::exception& e) {
    log::error(std::string("internal error: ") + e.what());
    return status(Exit::software);
  }
}

}  // namespace forumgate::cli
