// lockrun: run a command while holding a lock. See lockrun(1).

#include <optional>
#include <string>
#include <vector>

#include "cli/log.hpp"
#include "cli/program.hpp"
#include "lock/lock.hpp"
#include "process/signals.hpp"
#include "util/error.hpp"

using namespace forumgate;

namespace {

struct Options {
  std::string kind = "flock";
  std::string mailbox;
  bool nonblock = false;
  std::optional<double> wait;
  double stale = static_cast<double>(lock::default_stale_age.count());
  int conflict_exit_code = status(Exit::tempfail);
};

struct Invocation {
  std::string lock_path;  // empty with --mailbox
  std::vector<std::string> command;
};

// What follows the options: LOCK [--] COMMAND [ARGS...], or with --mailbox
// just [--] COMMAND [ARGS...]. The command's own options are never ours.
Invocation split_arguments(std::vector<std::string> rest, bool mailbox) {
  if (!rest.empty() && rest[0].size() > 1 && rest[0][0] == '-' && rest[0] != "--") {
    throw Error(Exit::usage, "unknown option " + rest[0]);
  }
  Invocation inv;
  if (!mailbox) {
    if (rest.empty() || rest[0] == "--") throw Error(Exit::usage, "no LOCK given");
    inv.lock_path = rest[0];
    rest.erase(rest.begin());
  }
  if (!rest.empty() && rest[0] == "--") rest.erase(rest.begin());
  if (rest.empty()) throw Error(Exit::usage, "no COMMAND given");
  inv.command = std::move(rest);
  return inv;
}

lock::Deadline deadline_of(const Options& o) {
  if (o.nonblock) return lock::Deadline::now();
  if (o.wait) return lock::Deadline::after_seconds(*o.wait);
  return lock::Deadline::never();
}

int run(const Options& o, const std::vector<std::string>& rest) {
  const Invocation inv = split_arguments(rest, !o.mailbox.empty());
  const auto stale = std::chrono::seconds(static_cast<long>(o.stale));

  // Catch signals before taking the lock, so that none can leave it behind.
  process::ForwardedSignals signals;
  auto lk = o.mailbox.empty() ? lock::make_lock(inv.lock_path, lock::parse_kind(o.kind), stale)
                              : lock::make_mailbox_lock(o.mailbox, stale);
  lock::Deadline deadline = deadline_of(o);
  deadline.cancelled_by(signals.cancel_flag());

  if (!lk->acquire(deadline)) {
    if (signals.caught()) return 128 + signals.caught();
    std::string who = lk->holder();
    std::string why = o.wait ? "could not lock " + lk->describe() + " within " + CLI::detail::to_string(*o.wait) + " s"
                             : lk->describe() + " is locked";
    log::notice(why + (who.empty() ? "" : " (" + who + ")"));
    return o.conflict_exit_code;
  }
  log::info("locked " + lk->describe());

  pid_t child = signals.spawn(inv.command);
  if (child == 0) return 128 + signals.caught();
  int status = signals.wait(child, lk->refresh_interval(), [&] { lk->refresh(); });
  lk->release();
  log::info("released " + lk->describe() + "; " + inv.command[0] + " exited " + std::to_string(status));
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("lockrun", "Run COMMAND while holding LOCK, or a mailbox's locks.");
  program.usage(
      "[OPTIONS] LOCK [--] COMMAND [ARGS...]\n"
      "       lockrun [OPTIONS] --mailbox MAILBOX [--] COMMAND [ARGS...]");
  Options o;
  CLI::App& app = program.app();
  app.prefix_command();
  auto* kind = app.add_option("-k,--kind", o.kind, "Kind of lock on LOCK: flock, fcntl or dotlock")
                   ->type_name("KIND")
                   ->check(CLI::IsMember({"flock", "fcntl", "dotlock"}))
                   ->capture_default_str();
  app.add_option("-m,--mailbox", o.mailbox, "Lock MAILBOX as the MTA does: fcntl on it, then dotlock MAILBOX.lock")
      ->type_name("MAILBOX")
      ->excludes(kind);
  auto* nb = app.add_flag("-n,--nonblock", o.nonblock, "Do not wait: fail at once if the lock is held");
  app.add_option("-w,--wait", o.wait, "Wait at most SECS for the lock (default: for ever)")
      ->type_name("SECS")
      ->check(CLI::NonNegativeNumber)
      ->excludes(nb);
  app.add_option("-s,--stale", o.stale, "Break a dotlock older than SECS")
      ->type_name("SECS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("-E,--conflict-exit-code", o.conflict_exit_code, "Exit with CODE when the lock cannot be had")
      ->type_name("CODE")
      ->check(CLI::Range(0, 255))
      ->capture_default_str();
  app.footer(
      "Exit status: COMMAND's own, 128+N when signal N ended it, 75 (or CODE) when the\n"
      "lock is held elsewhere, 64 usage, 66 mailbox missing, 73 lock cannot be created,\n"
      "126/127 COMMAND cannot be run. See lockrun(1).");
  return program.run(argc, argv, [&] { return run(o, app.remaining()); });
}
