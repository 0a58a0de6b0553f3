#pragma once
// Taking the messages of a remote mailbox into a sink: mailsplit's
// pop3[s]://USER@HOST[:PORT]/ and imap[s]://USER@HOST[:PORT][/MAILBOX]
// sources. The protocol's part (pop3_source.hpp, imap_source.hpp) is a
// RemoteMailbox; the order of things, the same for both, is here. Nothing
// is deleted on the server before the sink's commit made every copy
// durable and, with a queue, the UIDs taken were recorded (uid_memory.hpp),
// so a cut session is never a loss and, into a queue, never a duplicate.
// A message the sink declines is not deleted; a signal (SplitRequest::cancel)
// stops the run between two fetches, before the commit, deleting nothing.
// The steps and their reasons: docs/design.md, "A remote run".

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
