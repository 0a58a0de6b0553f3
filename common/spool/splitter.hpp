#pragma once
// Taking the messages out of a spool into a sink: what mailsplit does.
// Sources: an mbox file (under the MTA's locks), a Maildir (new/ then cur/),
// "-" (an mbox on standard input, read to its end), or a POP3 or IMAP URL
// (remote_source.hpp); anything else is refused with 66 before it is opened
// or locked. With drain, the source gives up its messages only after the
// sink's commit() made every one durable, and an mbox stays locked from the
// first byte read to its truncation; any error before that rolls the sink
// back. A message the sink declines stays in the source (in an mbox, then,
// every message stays). Exit statuses as in mailsplit(1): 65 not an mbox,
// 66 unreadable, 69 server, 73 sink, 74 I/O, 75 locked or unreachable, 77
// login refused. The reasons: docs/design.md, "mailsplit".

#include <csignal>
#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

#include "cli/progress.hpp"
#include "lock/lock.hpp"
#include "spool/mbox_reader.hpp"
#include "spool/message_sink.hpp"
#include "util/error.hpp"

namespace forumgate::spool {

struct SplitRequest {
  std::string source;  // mbox path, Maildir path, "-", or a pop3[s]:// or imap[s]:// URL
  MboxFormat format = MboxFormat::automatic;
  bool drain = false;
  // A reader's state into maildir(5) flags, for the sinks that keep them (a
  // Maildir): an mbox's Status:/X-Status: lines (taken out of the message,
  // see mbox_reader.hpp), a Maildir's cur/ names' ":2,FLAGS". Without it
  // every message is new.
  bool keep_flags = false;
  double lock_wait_seconds = 30;  // also for a queue's UID memory (remote sources)
  std::chrono::seconds stale_age = lock::default_stale_age;
  // Set by a signal handler: stop between messages, roll the sink back,
  // give nothing up, release the locks (throws Interrupted).
  const volatile std::sig_atomic_t* cancel = nullptr;
  // Called for each message taken: where it was, how big, where it went.
  std::function<void(uint64_t offset, uint64_t size, const std::string& where)> on_message;
  // Called after each message with how far the run is: bytes of the source
  // read (of its size, for an mbox file) and messages taken or kept (of how
  // many, for a Maildir). For a progress bar.
  std::function<void(const cli::Progress&)> on_progress;
};

struct SplitReport {
  uint64_t taken = 0;
  uint64_t kept = 0;   // declined by the sink (a failed --exec command): left in the source
  uint64_t known = 0;  // remote: in the queue since an earlier run (uid_memory.hpp), not taken again
  uint64_t bytes = 0;
  bool drained = false;
};

// The split stopped at a signal (SplitRequest::cancel) before giving up
// anything; what the sink had not committed was rolled back.
class Interrupted : public Error {
 public:
  Interrupted() : Error(Exit::tempfail, "interrupted; nothing was taken from the source") {}
};

SplitReport split_spool(const SplitRequest& request, MessageSink& sink);

// A From_ line for a message that had none (Maildir, POP3): its
// Return-Path's address, else MAILER-DAEMON, and the given time.
std::string make_from_line(std::string_view message, time_t when);

}  // namespace forumgate::spool
