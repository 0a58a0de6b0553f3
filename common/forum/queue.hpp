#pragma once
// forumpost --queue: the messages of a queue Maildir's new/, in delivery
// order, each handed to a handler, then put where its outcome says:
//   done (posted, duplicate, ignored, ...)  renamed into cur/ (or deleted)
//   refused (a permanent failure)           moved into DIR/.failed/new/, a
//                                           copy with X-Forumgate-Failure
//                                           saying why, durable before the
//                                           original goes
//   deferred (a temporary failure)          left in new/ for the next run
//   refused, but .failed/ cannot take it    left in new/ (deferred), and the
//   (a full disk)                           rest of the queue goes on
// An entry that is no regular file is skipped, never opened. A crash at any
// moment leaves each message posted once or still queued (a duplicate
// next time). Why the group commit and the read-ahead: docs/design.md.

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "forum/gateway.hpp"
#include "mime/message.hpp"
#include "post/record.hpp"

namespace forumgate::forum {

// A message prepared for the gateway: parsed, its record built, its
// attachments decoded; all that needs no database.
struct PreparedMessage {
  mime::Message message;
  post::Record record;
  std::map<std::string, std::string> decoded;  // attachments, by part
};
using PreparedPtr = std::shared_ptr<const PreparedMessage>;

struct QueueOptions {
  bool delete_done = false;              // delete instead of moving into cur/
  bool stop_on_tempfail = false;         // stop at the first deferred message
  const volatile int* cancel = nullptr;  // set by a signal: stop between messages
  // Makes the handler's posts durable: done messages leave new/ only once
  // it returned. Called after group_size messages or group_time, at a
  // deferred message and at the end; when it throws, the group's
  // messages stay in new/, deferred.
  std::function<void()> commit = nullptr;
  std::size_t group_size = 1;
  std::chrono::milliseconds group_time{200};
  // What can be done with a message before the handler, needing nothing
  // of its (parsing): run on the read-ahead thread, at most read_ahead
  // messages ahead, so it must share no mutable state with the handler,
  // which still gets the messages in order on the calling thread.
  // Without it, or with read_ahead 0, there is no thread.
  std::function<PreparedPtr(const std::string& data)> prepare = nullptr;
  std::size_t read_ahead = 8;
  // Only these entries of new/, in this order, when set: a pass over the
  // messages a conflict deferred, leaving the rest alone.
  std::optional<std::vector<std::string>> only;
  // Told each message's fate once it is sure: a done message's only once
  // the commit made its post durable, with the outcome it has then (a
  // lost group's messages are deferred after all).
  std::function<void(const std::string& path, const Result& result)> settled = nullptr;
};

// What prepare made of a message. get() gives it, or throws what prepare
// threw: on the handler's thread, where the message is handled, as though
// prepare had run there.
class Prepared {
 public:
  Prepared() = default;  // nothing prepared (no read-ahead, or a replay)
  explicit Prepared(PreparedPtr value) : value_(std::move(value)) {}
  explicit Prepared(std::exception_ptr error) : error_(std::move(error)) {}
  bool empty() const { return !value_ && !error_; }
  // The value, for a look (null when prepare threw).
  const PreparedPtr& value() const { return value_; }
  PreparedPtr get() {
    if (error_) std::rethrow_exception(error_);
    return std::move(value_);
  }

 private:
  PreparedPtr value_;
  std::exception_ptr error_;
};

struct QueueReport {
  // subscriptions: subscribe and unsubscribe requests, and confirmations.
  std::size_t taken = 0, posted = 0, duplicates = 0, ignored = 0, subscriptions = 0, refused = 0, deferred = 0;
  std::size_t skipped = 0;  // entries that are no regular file, left in new/
  // Of the deferred, those a conflict with another writer deferred (see
  // is_conflict), in queue order.
  std::vector<std::string> conflicted;
  bool stopped = false;  // by --stop-on-tempfail or a signal
};

// handler gets the path and content of each message, and what prepare made
// of it; an empty Prepared when there was none (a message handed in again
// after a rollback is read again and not prepared): then it does it all.
// ahead: what prepare made of the messages read ahead after it, in queue
// order, for a look at what comes (any of them may yet be taken by a
// concurrent run, or a cancel come first).
using QueueHandler = std::function<Result(const std::string& path, const std::string& data, Prepared prepared,
                                          const std::vector<PreparedPtr>& ahead)>;
QueueReport process_queue(const std::string& dir, const QueueOptions& options, const QueueHandler& handler);

}  // namespace forumgate::forum
