#pragma once
// Waiting for new mail with inotify(7), without polling: a delivery into a
// watched mbox (appended, or created or renamed into place) or into a
// Maildir's new/ ends the wait within milliseconds, and so does the
// deletion or renaming of a watched directory, whose spools are then
// watched where their paths now lead. watch() is idempotent: watch first,
// then check, so mail arriving in between ends the next wait. The events
// watched and why: docs/design.md, "spoolcheck --watch".

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lock/deadline.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {

class SpoolWatch {
 public:
  // Throws Error(unavailable) when inotify cannot be had.
  SpoolWatch();
  ~SpoolWatch();
  SpoolWatch(const SpoolWatch&) = delete;
  SpoolWatch& operator=(const SpoolWatch&) = delete;

  // Watches what would bring new mail to spool number index, as it is now.
  // A spool that cannot be checked (unreadable, no Maildir) is left alone:
  // checking it says why. Throws SpoolError when a watch cannot be set: a
  // remote spool, no directory to watch, or no inotify watches left.
  void watch(std::size_t index, const std::string& spool);

  // Whether spool number index, watched again, is a directory still
  // without new/: a Maildir being made (mkdir, then its tmp/ new/ cur/),
  // no mail yet rather than an error.
  bool half_made(std::size_t index) const { return half_made_.count(index) > 0; }

  // Blocks until something happened to a watched spool or the deadline
  // passed. Returns the indices of the spools to check again, in order and
  // each once (every spool when the kernel's event queue overflowed); none
  // when the deadline passed.
  std::vector<std::size_t> wait(const lock::Deadline& deadline);

 private:
  void add(std::size_t index, const std::string& spool, const std::string& path, const std::string& name,
           unsigned mask);

  util::Fd fd_;  // the inotify instance
  // Watch descriptor -> name in the watched directory ("" for any event) ->
  // the spools it concerns.
  std::unordered_map<int, std::unordered_map<std::string, std::vector<std::size_t>>> spools_of_;
  std::size_t spool_count_ = 0;                // highest index + 1
  std::unordered_set<std::size_t> watched_;    // spools watched before
  std::unordered_set<std::size_t> half_made_;  // see half_made()
};

}  // namespace forumgate::spool
