// mailsplit: take messages out of a spool into single files, safely. See mailsplit(1).

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/log.hpp"
#include "cli/program.hpp"
#include "cli/progress.hpp"
#include "process/signals.hpp"
#include "spool/splitter.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

using namespace forumgate;

namespace {

struct Options {
  std::string source;
  std::string queue;
  std::string format = "auto";
  std::string output_dir;
  int digits = 4;
  uint64_t first = 1;
  bool to_stdout = false;
  bool count = false;
  std::string exec;
  bool drain = false;
  bool keep_flags = false;
  double wait = 30;
  double stale = static_cast<double>(lock::default_stale_age.count());
};

std::string real(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::unique_ptr<spool::MessageSink> make_sink(const Options& o) {
  const int chosen = !o.queue.empty() + !o.output_dir.empty() + o.to_stdout + o.count + !o.exec.empty();
  if (chosen == 0) throw Error(Exit::usage, "no destination: give QUEUE, -o DIR, --stdout, --exec or --count");
  if (chosen > 1) throw Error(Exit::usage, "give one destination: QUEUE, -o DIR, --stdout, --exec or --count");
  if (o.keep_flags && o.queue.empty()) {
    throw Error(Exit::usage,
                "--keep-flags needs a Maildir to deliver into (QUEUE), not -o, --stdout, --exec or --count");
  }
  if (o.count) return spool::count_sink();
  if (!o.exec.empty()) return spool::exec_sink(o.exec, o.source, o.digits, o.first);
  if (o.to_stdout) return spool::mboxrd_stream_sink(STDOUT_FILENO);
  if (!o.output_dir.empty()) return spool::numbered_files_sink(o.output_dir, o.digits, o.first);
  if (o.source != "-" && real(o.source) == real(o.queue)) {
    throw Error(Exit::usage, "the queue " + o.queue + " is the source itself");
  }
  return spool::queue_sink(o.queue);
}

int run(const Options& o) {
  auto sink = make_sink(o);
  spool::SplitRequest rq;
  rq.source = o.source;
  rq.format = spool::parse_mbox_format(o.format);
  rq.drain = o.drain;
  rq.keep_flags = o.keep_flags;
  rq.lock_wait_seconds = o.wait;
  rq.stale_age = std::chrono::seconds(static_cast<long>(o.stale));
  if (log::enabled(log::Level::info)) {
    rq.on_message = [](uint64_t offset, uint64_t size, const std::string& where) {
      log::info("offset " + std::to_string(offset) + ", " + std::to_string(size) + " bytes -> " + where);
    };
  }
  // A bar on a terminal; not with -q, nor with -v (its lines tell the
  // progress), nor when what we or the commands write goes to the same
  // terminal.
  const bool output_on_terminal = (o.to_stdout || !o.exec.empty()) && isatty(STDOUT_FILENO);
  cli::ProgressBar bar(log::enabled(log::Level::notice) && !log::enabled(log::Level::info) && !output_on_terminal,
                       "messages");
  rq.on_progress = [&bar](const cli::Progress& p) { bar.update(p); };
  // A signal that would end us (SIGTERM, SIGINT, SIGHUP, SIGUSR1...): stop
  // between messages, or in a read or write that waits on a pipe, leaving
  // the source whole and no lock behind.
  process::ForwardedSignals signals;
  rq.cancel = signals.cancel_flag();
  util::stop_io_when(signals.cancel_flag());
  spool::SplitReport report;
  try {
    report = spool::split_spool(rq, *sink);
  } catch (const Error& e) {
    if (!signals.caught()) throw;
    bar.clear();
    log::notice(dynamic_cast<const spool::Interrupted*>(&e) ? e.what() : std::string(e.what()) + "; interrupted");
    return 128 + signals.caught();
  }
  bar.clear();
  if (o.count) std::cout << report.taken << "\n";
  // One line for cron's mail when there was something to take (-q keeps it
  // quiet; -v also gives the bytes).
  std::string line = o.source + ": " + std::to_string(report.taken) + " taken";
  if (report.known) line += ", " + std::to_string(report.known) + " in the queue already";
  if (report.kept) line += ", " + std::to_string(report.kept) + " kept";
  if (report.drained) line += ", drained";
  if (log::enabled(log::Level::info)) line += " (" + std::to_string(report.bytes) + " bytes)";
  if (!o.count) log::write(report.taken || report.kept ? log::Level::notice : log::Level::info, line);
  if (report.kept > 0) {
    log::notice(std::to_string(report.kept) + " message(s) whose command failed stay in " + o.source +
                (o.drain && !report.drained ? " (and, it being an mbox, so do the others)" : ""));
    return status(Exit::tempfail);
  }
  return status(Exit::ok);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("mailsplit", "Take the messages out of a spool, one file per message, safely.");
  program.usage("[OPTIONS] SOURCE [QUEUE]");
  Options o;
  CLI::App& app = program.app();
  app.add_option("source", o.source,
                 "An mbox file, a Maildir, a pop3[s]:// or imap[s]:// URL, or - for an mbox on standard input")
      ->required();
  app.add_option("queue", o.queue, "The queue Maildir to deliver into (created when missing)");
  app.add_option("-F,--format", o.format, "mbox variant: auto, mboxo, mboxrd, mboxcl or mboxcl2")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"auto", "mboxo", "mboxrd", "mboxcl", "mboxcl2"}))
      ->capture_default_str();
  app.add_option("-o,--output-dir", o.output_dir, "Write numbered files DIR/0001, DIR/0002, ...")->type_name("DIR");
  app.add_option("-d,--digits", o.digits, "Width of the numbered file names")
      ->type_name("N")
      ->check(CLI::Range(1, 18))
      ->capture_default_str();
  app.add_option("-f,--first", o.first, "Number of the first numbered file")->type_name("N")->capture_default_str();
  app.add_flag("--stdout", o.to_stdout, "Write the messages to standard output as an mboxrd stream");
  app.add_flag("--count", o.count, "Print how many messages there are; write nothing");
  app.add_option("--exec", o.exec, "Run CMD once per message, the message on its standard input")->type_name("CMD");
  app.add_flag("--drain", o.drain, "Remove the messages from the source once their copies are durable");
  app.add_flag("--keep-flags", o.keep_flags,
               "Deliver messages a reader has seen into cur/ with their flags (Status:, X-Status:)");
  app.add_option("-w,--wait", o.wait, "Wait at most SECS for the mailbox's locks")
      ->type_name("SECS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("-s,--stale", o.stale, "Break a mailbox dotlock older than SECS")
      ->type_name("SECS")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.footer(
      "Exit status: 0 done, 64 usage, 65 not an mbox, 66 source missing or unreadable,\n"
      "69 remote server failed, 73 destination cannot be created, 74 read or write error\n"
      "(disk full), 75 mailbox locked, server unreachable or an --exec command failed:\n"
      "try again later, 77 login refused (see MAILSPLIT_NETRC).\n"
      "See mailsplit(1).");
  return program.run(argc, argv, [&] { return run(o); });
}
