#pragma once
// Where mailsplit puts the messages it takes. A sink may hold messages back
// until commit(durable), which returns once every message given to it is
// written out and, when durable is true, on stable storage; rollback()
// undoes what commit() has not yet done. Durability costs a sync of the file
// system: numbered files and streams pay it only when asked (--drain), a
// queue Maildir always, as maildir(5) wants its consumers to see only
// complete files.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spool/maildir.hpp"

namespace forumgate::spool {

// One message on its way: a prefix (a Return-Path line, or nothing), the
// message itself, and the From_ line it had or should have; and, for a
// message a reader has seen (mailsplit --keep-flags), its maildir(5) flags,
// which a queue Maildir gives it in cur/ (the other sinks ignore them).
struct OutgoingMessage {
  std::string_view from_line;
  std::string_view prefix;
  std::string_view data;
  std::optional<std::string_view> flags = std::nullopt;
  // What the source calls the message (a remote mailbox's UID), handed to
  // a queue's before_commit hook.
  std::string_view key = {};
  // The string data lies in, when the sink may take it rather than copy
  // it, to write it later (write_behind.hpp); it then leaves another
  // string there. Null: data is only lent for the call.
  std::string* owner = nullptr;
};

// A message in a queue's batch: its file's name in tmp/, its source's key.
struct Batched {
  std::string name;
  std::string key;
};

// What became of one message: where it went, for -v ("tmp/1795...",
// "0003", "-"), and whether it was taken. Only a command (--exec) can
// decline a message, by failing; the source must then keep it.
struct Placement {
  std::string where;
  bool taken = true;
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual Placement add(const OutgoingMessage& m) = 0;
  virtual void commit(bool durable) = 0;
  virtual void rollback() = 0;
  // Whether commit(true) can make messages durable, so that --drain may follow it.
  virtual bool durable() const = 0;
  // A queue Maildir's path, where a remote source keeps the UIDs of the
  // messages already in it (uid_memory.hpp); empty for other sinks.
  virtual std::string queue_path() const { return {}; }
  // Whether add() looks at the message's bytes; a counter does not, so a
  // source need not gather them.
  virtual bool wants_data() const { return true; }
  // A queue Maildir: the hooks run before each batch of messages is made
  // durable and visible, and after, so that a remote source records their
  // UIDs as pending first and as in the queue then (uid_memory.hpp). An
  // exception from either fails the commit. Empty hooks: none.
  struct CommitHooks {
    std::function<void(const std::vector<Batched>&batch)> before, after;
  };
  virtual void on_commit(CommitHooks hooks) { (void)hooks; }
};

// Into a queue Maildir: tmp/ -> syncfs -> new/, or cur/ for a message
// with flags (see MaildirWriter).
std::unique_ptr<MessageSink> queue_sink(const std::string& maildir);
// Numbered files DIR/0001, DIR/0002, ... like git mailsplit -o.
std::unique_ptr<MessageSink> numbered_files_sink(const std::string& dir, int width, uint64_t first);
// An mboxrd stream on a file descriptor (standard output).
std::unique_ptr<MessageSink> mboxrd_stream_sink(int fd);
// Nothing written; counted only.
std::unique_ptr<MessageSink> count_sink();
// Runs command once per message, the message on its standard input, with
// FILENO (the message's number, as -o would name it) and MAILSPLIT_SOURCE
// in its environment. A message is taken when the command exits 0; what a
// command does with it is the command's to make durable.
std::unique_ptr<MessageSink> exec_sink(const std::string& command, const std::string& source, int width,
                                       uint64_t first);

}  // namespace forumgate::spool
