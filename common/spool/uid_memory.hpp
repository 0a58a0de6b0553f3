#pragma once
// Which messages of a remote mailbox are already in a queue Maildir, by
// their unique ids (POP3 UIDL, RFC 1939 §7; IMAP UID within a UIDVALIDITY,
// RFC 3501 §2.3.1.1), so that a session cut between the queue's commit and
// the server's deletion never yields a duplicate: the next run skips those
// messages (and, draining, deletes them at last).
//
// One file per mailbox in the queue's top directory, beside cur/, new/ and
// tmp/, as Dovecot keeps dovecot-uidlist there:
//
//   QUEUE/mailsplit-uids.pop3.alice@mail.example.org:995
//   QUEUE/mailsplit-uids.imap.alice@mail.example.org:993%2FINBOX
//
// (bytes other than letters, digits and @._:+- percent-encoded; a name too
// long for the file system is replaced by a hash). The file reads:
//
//   mailsplit-uids 1
//   source imap alice@mail.example.org:993/INBOX
//   uidvalidity 1795430400          ("-" for POP3)
//   uid 17
//   uid 18
//
// It is replaced whole (written beside, fsync'd, renamed, directory
// fsync'd), write-ahead: the UIDs of a run are recorded after the queue's
// commit and before anything is deleted on the server, and dropped again
// once the server confirmed the deletion. Entries whose UIDs the server no
// longer lists are dropped at the next save.
//
// Runs into one queue from remote mailboxes take turns: the memory holds an
// flock(2) on QUEUE/mailsplit-uids.lock from construction to destruction.
//
// A POP3 server must not give a new message the UIDL of one deleted
// before (RFC 1939 asks it not to); IMAP's UIDVALIDITY rules this out.

#include <set>
#include <string>

#include "lock/deadline.hpp"
#include "lock/file_lock.hpp"

namespace forumgate::spool {

class UidMemory {
 public:
  // Creates the queue's directory when missing, takes the lock (waiting
  // until the deadline: Error(75) after it) and reads the mailbox's file.
  // identity: RemoteUrl::identity(). Error(73) when the queue cannot be
  // created or the lock file not made; Error(74) when the file cannot be
  // read.
  UidMemory(const std::string& queue, const std::string& identity, const lock::Deadline& deadline);

  // IMAP: the mailbox's UIDVALIDITY now. UIDs recorded under another one
  // name other messages, or none: they are forgotten (with a warning).
  void set_validity(const std::string& validity);
  bool has(const std::string& uid) const { return uids_.count(uid) > 0; }
  const std::set<std::string>& uids() const { return uids_; }

  // Makes uids the record, durably (see above). Error(74) when it cannot.
  void save(std::set<std::string> uids);

  // The file's name for a mailbox identity (without the directory).
  static std::string file_name(const std::string& identity);
  const std::string& path() const { return path_; }

 private:
  void load();

  std::string queue_;
  std::string identity_;
  std::string path_;
  lock::FileLock lock_;
  std::string validity_ = "-";
  std::set<std::string> uids_;
};

}  // namespace forumgate::spool
