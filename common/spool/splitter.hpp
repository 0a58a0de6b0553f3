#pragma once
// Taking the messages out of a spool into a sink: what mailsplit does.
//
// Sources: an mbox file (read under the MTA's locks, see lock/mailbox_lock.hpp),
// a Maildir (new/ then cur/), "-" for an mbox on standard input, or a
// POP3 or IMAP mailbox's URL (remote_source.hpp). Anything else (a FIFO, a
// device, a socket) is refused with 66 before it is opened or locked;
// standard input is read to its end, whatever it is.
//
// The one rule: with drain, the source gives up its messages (an mbox is
// truncated, Maildir files are unlinked) only after the sink's commit() has
// made every message taken durable, and an mbox stays locked from the first
// byte read to the truncation, so nothing the MTA delivers meanwhile can be
// lost. Any error before that rolls the sink back and leaves the source as
// it was.
//
// A message the sink declines (a failed --exec command) stays in the source:
// a Maildir keeps its file; an mbox is then not truncated at all, every
// message staying, since an mbox cannot drop some messages in place without
// a moment where a crash would lose one. Commands run by --exec must
// therefore take the same message twice calmly, as forumpost does.
//
// Errors: 65 the source is not an mbox; 66 the source is missing or
// unreadable; 69 a remote server failed unexpectedly; 73 the sink cannot be
// created; 74 a read or write failed (the disk is full); 75 the mailbox is
// locked by someone else for longer than the wait, or a server cannot be
// reached; 77 a server refused the login (see remote_session.hpp).

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
