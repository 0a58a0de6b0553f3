#pragma once
// Taking the messages of a remote mailbox into a sink: mailsplit's
// pop3[s]://USER@HOST[:PORT]/ and imap[s]://USER@HOST[:PORT][/MAILBOX]
// sources. The protocol's part (pop3_source.hpp, imap_source.hpp) is a
// RemoteMailbox; the order of things, the same for both, is here:
//
//   1. list the messages with their unique ids (UIDL; UID FETCH 1:* (UID));
//   2. with a queue Maildir as the sink, skip those its UID memory
//      (uid_memory.hpp) says are in the queue already, from an earlier run;
//      fetch the others, CRLF made LF (maildir(5)), each with a From_ line
//      from its Return-Path (else MAILER-DAEMON) and the current time;
//   3. the sink's commit(): every copy durable;
//   4. record the UIDs now in the queue (write-ahead, fsync'd), dropping
//      those the server no longer lists;
//   5. with drain only: delete on the server what was taken or skipped, and
//      once the server confirmed it, drop those UIDs from the record.
//
// Any error before 3 rolls the sink back and deletes nothing. A session cut
// after 4 leaves messages on the server that the record names: the next run
// into the same queue skips them, and deletes them when draining. Without
// a queue (-o, --stdout, --exec) there is no record and such messages are
// taken again (forumpost drops a Message-ID it already has). A message the
// sink declines (--exec) is not deleted.
//
// A signal (SplitRequest::cancel) stops the run between two fetches, before
// the commit: Interrupted, nothing deleted.

#include <memory>
#include <string>
#include <vector>

#include "spool/message_sink.hpp"
#include "spool/remote_session.hpp"
#include "spool/splitter.hpp"

namespace forumgate::spool {

// One message as a server lists it.
struct RemoteMessage {
  std::string number;  // what fetches it: POP3's message number, IMAP's UID
  std::string uid;     // what names it for good: UIDL; the UID
};

// A mailbox on a server, through one session.
class RemoteMailbox {
 public:
  virtual ~RemoteMailbox() = default;
  // What the UIDs are valid with: IMAP's UIDVALIDITY; "-" for POP3.
  virtual std::string validity() = 0;
  virtual std::vector<RemoteMessage> list() = 0;
  // The message as the server sends it (CRLF line ends).
  virtual std::string fetch(const RemoteMessage& m) = 0;
  // Deletes the messages and ends the session; returns once the server has
  // confirmed the deletion (POP3: QUIT's +OK; IMAP: EXPUNGE's OK).
  virtual void remove(const std::vector<RemoteMessage>& messages) = 0;
};

// The environment variables naming mailsplit's netrc file, in order.
inline constexpr const char* mailsplit_netrc = "MAILSPLIT_NETRC";

SplitReport split_remote(const SplitRequest& rq, MessageSink& sink);

}  // namespace forumgate::spool
