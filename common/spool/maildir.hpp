#pragma once
// Maildirs (maildir(5)): reading the messages of one, and delivering into
// one durably. Maildir++ subfolders such as ".failed/" are Maildirs too.
//
// Delivery follows the maildir(5) protocol, in batches: each message is
// written to tmp/ under a unique name; commit() makes every file written so
// far durable with one syncfs(2), renames them all into new/ (or, for a
// message given flags, into cur/ as "NAME:2,FLAGS"), and fsyncs the
// directories it renamed into. Only after commit() returns may a source
// give the messages up. A failure before that removes from tmp/ what the
// batch wrote (rollback()).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spool/write_behind.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {

// Whether path is a Maildir: a directory with cur/, new/ and tmp/.
bool is_maildir(const std::string& path);

// The message files of a Maildir, new/ then cur/, each in delivery order
// (the time and microseconds that start maildir(5) names, compared as
// numbers); dot files and tmp/ skipped.
std::vector<std::string> maildir_messages(const std::string& maildir);

class MaildirWriter {
 public:
  // Creates the Maildir (mode 0700) when missing. Error(73) when it cannot
  // be created or written. With Thread::by_cpus the files may be made and
  // written on a second thread (write_behind.hpp); by default each is
  // written before add() returns.
  explicit MaildirWriter(std::string maildir, WriteBehind::Thread files = WriteBehind::Thread::never);
  ~MaildirWriter();  // rolls back an uncommitted batch
  MaildirWriter(const MaildirWriter&) = delete;
  MaildirWriter& operator=(const MaildirWriter&) = delete;

  // Writes one message, prefix then data, to tmp/; returns its name. With
  // flags (maildir(5) flags in ASCII order, "" for none), the message has
  // been seen and goes into cur/ with the info ":2,FLAGS"; else new/. On a
  // second thread, the writer may take *owner when data lies in it; the
  // file is complete by commit(). Error(73) when a file cannot be made,
  // Error(74) when one cannot be written (a full disk), this one or an
  // earlier: the caller rolls back.
  std::string add(std::string_view prefix, std::string_view data, std::optional<std::string_view> flags = std::nullopt,
                  std::string* owner = nullptr);
  // Durable, then visible in new/ (or cur/); returns their paths.
  std::vector<std::string> commit();
  void rollback();

  const std::string& path() const { return path_; }

 private:
  std::string unique_name(size_t size);

  std::string path_;
  util::Fd dir_fd_;  // tmp/
  struct Pending {
    std::string name;                  // in tmp/
    std::optional<std::string> flags;  // for cur/
  };
  std::vector<Pending> pending_;
  unsigned counter_ = 0;
  std::string host_;
  std::string pid_;  // a writer does not outlive a fork
  WriteBehind writes_;
};

// A queue holds mail that is nobody else's to read yet: Error(78) when the
// Maildir's own directory lets its group or others in (any of mode 077).
// Only that directory is checked: at 0700 nobody else reaches what is under
// it. Nothing when it does not exist (MaildirWriter creates it 0700).
void check_private_queue(const std::string& maildir);

// fsync(2) on a directory, so that renames and unlinks in it are durable.
void sync_directory(const std::string& dir);

}  // namespace forumgate::spool
