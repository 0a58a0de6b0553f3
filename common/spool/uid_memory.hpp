#pragma once
// Which messages of a remote mailbox are already in a queue Maildir, by
// their unique ids (POP3 UIDL, IMAP UID within a UIDVALIDITY), so that a
// session cut between the queue's commit and the server's deletion never
// yields a duplicate. One file per mailbox in the queue's top directory,
// replaced whole and written ahead of each batch; runs into one queue take
// turns by an flock(2) held from construction to destruction. The file's
// format and the order of its writes: docs/design.md (mailsplit).

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
