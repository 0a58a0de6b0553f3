#pragma once
// forumpost --queue: the messages of a queue Maildir's new/, in delivery
// order, each handed to a handler, then put where its outcome says:
//   done (posted, duplicate, ignored, ...)  renamed into cur/ (or deleted)
//   refused (a permanent failure)           moved into DIR/.failed/new/, a
//                                           copy with X-Forumgate-Failure
//                                           saying why, durable before the
//                                           original goes
//   deferred (a temporary failure)          left in new/ for the next run
// A crash at any moment leaves each message posted once or still queued:
// a message whose post committed but which is still in new/ is a duplicate
// next time, and moves on then.
//
// Group commit: with a commit function, the handler's writes are durable
// only once it returns, so done messages wait for it before they leave
// new/. It is called after group_size messages or group_time, at a
// deferred message and at the end. When it throws (75), the messages of
// the group stay in new/, deferred.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "forum/gateway.hpp"

namespace forumgate::forum {

struct QueueOptions {
  bool delete_done = false;       // delete instead of moving into cur/
  bool stop_on_tempfail = false;  // stop at the first deferred message
  const volatile int* cancel = nullptr;  // set by a signal: stop between messages
  std::function<void()> commit = nullptr;  // makes the handler's posts durable
  std::size_t group_size = 1;
  std::chrono::milliseconds group_time{200};
};

struct QueueReport {
  std::size_t taken = 0, posted = 0, duplicates = 0, ignored = 0, refused = 0, deferred = 0;
  bool stopped = false;  // by --stop-on-tempfail or a signal
};

// handler gets the path and content of each message.
QueueReport process_queue(const std::string& dir, const QueueOptions& options,
                          const std::function<Result(const std::string& path, std::string data)>& handler);

}  // namespace forumgate::forum
