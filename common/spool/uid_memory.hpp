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
//   pending 19 1795430460.M12P345Q7.host
//
// It is replaced whole (written beside, fsync'd, renamed, directory
// fsync'd), write-ahead: before each batch of messages is made durable and
// moved from the queue's tmp/ into new/, their UIDs are recorded as
// pending, each with its file's name, and once the batch is there, as in
// the queue; all before anything is deleted on the server, and dropped
// again once the server confirmed the deletion. A run killed during a
// commit leaves pending entries: the next one makes new/ and cur/ durable,
// keeps those whose files reached them (a queue reader moves them from
// new/ to cur/), and for the others removes the file from tmp/ and takes
// the message again. A file found nowhere (read and deleted, or a tmp/
// cleaned by hand) counts as not in the queue: a duplicate at worst, never
// a loss.
// Entries whose UIDs the server no longer lists are dropped at the next
// save.
//
// Runs into one queue from remote mailboxes take turns: the memory holds an
// flock(2) on QUEUE/mailsplit-uids.lock from construction to destruction.
//
// A POP3 server must not give a new message the UIDL of one deleted
// before (RFC 1939 asks it not to); IMAP's UIDVALIDITY rules this out.

#include <map>
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

  // Makes uids the record, durably (see above), with pending: UID -> name
  // in the queue of a batch about to be committed (a UID may come twice
  // from a POP3 server that breaks RFC 1939's rule). Error(74) when it
  // cannot. The record is written whole each time: for a mailbox that
  // keeps its messages (no --drain), that is every UID it lists, at each
  // batch of 1,024 messages.
  void save(std::set<std::string> uids, const std::multimap<std::string, std::string>& pending = {});

  // The file's name for a mailbox identity (without the directory).
  static std::string file_name(const std::string& identity);
  const std::string& path() const { return path_; }

 private:
  void load();
  // The pending entries (UID -> name) whose files all reached new/ or
  // cur/, made durable there and added to uids_; the others' files
  // removed from tmp/; the outcome saved.
  void settle(const std::multimap<std::string, std::string>& pending);

  std::string queue_;
  std::string identity_;
  std::string path_;
  lock::FileLock lock_;
  std::string validity_ = "-";
  std::set<std::string> uids_;
};

}  // namespace forumgate::spool
