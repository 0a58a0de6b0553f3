// spoolcheck: is there new mail in these spools? See spoolcheck(1).

#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/log.hpp"
#include "cli/program.hpp"
#include "spool/spool_check.hpp"
#include "spool/spool_watch.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/printable.hpp"

using namespace forumgate;
using spool::SpoolResult;

namespace {

// As grep(1): a cron line reads "spoolcheck -q SPOOL && ...".
constexpr int found_mail = 0;
constexpr int found_none = 1;
constexpr int trouble = 2;

struct Options {
  std::vector<std::string> spools;
  std::vector<std::string> files_from;
  bool quiet = false;
  bool count = false;
  bool json = false;
  bool watch = false;
  std::optional<double> timeout;
};

std::vector<std::string> spool_names(const Options& o) {
  std::vector<std::string> names = o.spools;
  for (const auto& file : o.files_from) {
    auto more = spool::read_spool_names(file);
    names.insert(names.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  return names;
}

spool::Detail detail_of(const Options& o) { return o.count ? spool::Detail::count : spool::Detail::presence; }

void report(const std::string& spool, const SpoolResult& result) {
  if (!result.checked) return;
  if (!result.state) {
    log::error(spool + ": " + result.error);
  } else if (log::enabled(log::Level::debug)) {
    log::debug(spool + ": " + spool::type_name(result.state->type) +
               (result.state->new_mail ? ", new mail" : ", no new mail"));
  }
}

std::string render_json(const std::vector<std::string>& spools, const std::vector<SpoolResult>& results,
                        bool with_count) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  bool any = false;
  for (size_t i = 0; i < spools.size(); ++i) {
    const SpoolResult& r = results[i];
    nlohmann::ordered_json entry = {{"spool", spools[i]}};
    if (r.state) {
      entry["type"] = spool::type_name(r.state->type);
      entry["new_mail"] = r.state->new_mail;
      if (with_count) entry["count"] = r.state->count;
    } else {
      entry["type"] = nullptr;
      entry["new_mail"] = false;
      entry["error"] = r.error;
    }
    any = any || r.new_mail();
    list.push_back(std::move(entry));
  }
  nlohmann::ordered_json doc = {{"new_mail", any}, {"spools", std::move(list)}};
  // Paths are bytes, not always UTF-8: replace what is not rather than fail.
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render(const Options& o, const std::vector<std::string>& spools, const std::vector<SpoolResult>& results) {
  if (o.quiet) return {};
  if (o.json) return render_json(spools, results, o.count);
  std::string text;
  // A name with a control in it is shown, not obeyed, on a terminal (as
  // ls(1) does); a pipe gets it as it is.
  const bool terminal = isatty(STDOUT_FILENO);
  for (size_t i = 0; i < spools.size(); ++i) {
    const SpoolResult& r = results[i];
    if (!r.state) continue;
    const std::string name = terminal ? util::printable(spools[i]) : spools[i];
    if (o.count) {
      text += std::to_string(r.state->count) + " " + name + "\n";
    } else if (r.state->new_mail) {
      text += name + "\n";
    }
  }
  return text;
}

// One write for the lot: 30,000 names must not cost 30,000 system calls.
void write_stdout(const std::string& text) { util::write_all(STDOUT_FILENO, text, "standard output"); }

int finish(const Options& o, const std::vector<std::string>& spools, const std::vector<SpoolResult>& results) {
  write_stdout(render(o, spools, results));
  size_t checked = 0, with_mail = 0, failed = 0;
  for (const auto& r : results) {
    if (r.checked) ++checked;
    if (r.new_mail()) ++with_mail;
    if (r.checked && !r.state) ++failed;
  }
  log::info(std::to_string(checked) + " spools checked: " + std::to_string(with_mail) + " with new mail, " +
            std::to_string(failed) + " not checked");
  // As grep -q: the question was answered, whatever else went wrong.
  if (o.quiet && with_mail > 0) return found_mail;
  if (failed > 0) return trouble;
  return with_mail > 0 ? found_mail : found_none;
}

int check_once(const Options& o, const std::vector<std::string>& spools) {
  // With -q, as grep -q: the first spool with mail is the answer.
  auto results = spool::check_spools(spools, detail_of(o), o.quiet);
  for (size_t i = 0; i < spools.size(); ++i) report(spools[i], results[i]);
  return finish(o, spools, results);
}

lock::Deadline deadline_of(const Options& o) {
  return o.timeout ? lock::Deadline::after_seconds(*o.timeout) : lock::Deadline::never();
}

bool done_waiting(const std::vector<SpoolResult>& results) {
  for (const auto& r : results)
    if (r.new_mail() || !r.state) return true;
  return false;
}

int watch(const Options& o, const std::vector<std::string>& spools) {
  const lock::Deadline deadline = deadline_of(o);
  std::vector<SpoolResult> results(spools.size());
  spool::SpoolWatch watcher;
  // Watch, then check: what arrives in between wakes the first wait.
  auto watch_and_check = [&](size_t i) {
    try {
      watcher.watch(i, spools[i]);
      results[i] = spool::check_one(spools[i], detail_of(o));
    } catch (const spool::SpoolError& e) {
      results[i] = SpoolResult{true, std::nullopt, e.reason()};
    }
    // A Maildir being made again has no mail yet: not an error.
    if (!results[i].state && watcher.half_made(i)) results[i] = SpoolResult{true, spool::SpoolState{}, ""};
    report(spools[i], results[i]);
  };
  for (size_t i = 0; i < spools.size(); ++i) watch_and_check(i);
  while (!done_waiting(results)) {
    auto woken = watcher.wait(deadline);
    if (woken.empty()) break;  // timed out
    for (size_t i : woken) watch_and_check(i);
  }
  return finish(o, spools, results);
}

int run(Options& o, CLI::App& app) {
  o.quiet = app.count("--quiet") > 0;
  if (o.spools.empty() && o.files_from.empty()) throw Error(Exit::usage, "no SPOOL given");
  // Every other failure (a list that cannot be read, no inotify, standard
  // output closed) is grep's status 2, not a sysexits code.
  try {
    std::vector<std::string> spools = spool_names(o);
    return o.watch ? watch(o, spools) : check_once(o, spools);
  } catch (const Error& e) {
    log::error(e.what());
    return trouble;
  }
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("spoolcheck",
                       "Tell whether there is new mail in the SPOOLs: mbox files, Maildirs, POP3 and IMAP mailboxes.");
  program.usage("[OPTIONS] SPOOL...");
  Options o;
  CLI::App& app = program.app();
  CLI::Option* quiet = app.get_option("--quiet");
  app.add_option("spools", o.spools, "An mbox file, a Maildir, or a pop3[s]:// or imap[s]:// URL")->type_name("SPOOL");
  app.add_option("-f,--files-from", o.files_from,
                 "Also check the spools named in FILE, one per line (-: standard input)")
      ->type_name("FILE")
      ->allow_extra_args(false);  // -f FILE SPOOL: SPOOL is no second FILE
  app.add_flag("-c,--count", o.count, "Print COUNT SPOOL for every spool: messages, or files in new/")->excludes(quiet);
  app.add_flag("--json", o.json, "Print one JSON object describing every spool")->excludes(quiet);
  auto* watch_flag = app.add_flag("--watch", o.watch, "Wait until a spool has new mail, then print and exit 0");
  app.add_option("--timeout", o.timeout, "With --watch: give up after SECS, with status 1")
      ->type_name("SECS")
      ->check(CLI::NonNegativeNumber)
      ->needs(watch_flag);
  app.footer(
      "A missing SPOOL has no mail. Exit status: 0 new mail, 1 none, 2 a SPOOL could\n"
      "not be checked (with -q: only when none had mail), 64 usage. Passwords come from\n"
      "SPOOLCHECK_NETRC, else MAILSPLIT_NETRC, else ~/.netrc. See spoolcheck(1).");
  return program.run(argc, argv, [&] { return run(o, app); });
}
