#pragma once
// Waiting for new mail with inotify(7): a watcher learns of a delivery within
// milliseconds, without polling. What is watched, for each spool as it is:
//
//   mbox      IN_MODIFY and IN_CLOSE_WRITE (the MTA appends to it),
//             IN_CREATE and IN_MOVED_TO (an mbox created anew, or renamed
//             into place, after it was deleted), all on its directory, which
//             reports them for the files in it: one watch serves every mbox
//             of a directory, and fewer watches are quicker to set and to
//             tear down. An mbox that is a symbolic link is watched itself
//             as well.
//   missing   the same, on the directory it would be in.
//   Maildir   IN_CREATE and IN_MOVED_TO on new/: maildir(5) delivery writes
//             in tmp/ and renames into new/.
//
// A watched directory that is deleted or renamed (IN_DELETE_SELF,
// IN_MOVE_SELF) wakes its spools, which are then watched where their paths
// now lead: a directory made again in its place, or, while there is none,
// the nearest directory still there, for its return. Only a spool's first
// watch needs its directory to exist.
//
// Watch first, then check: mail that arrives in between then ends the next
// wait instead of being missed. A woken spool is watched again (watch() is
// idempotent) before it is checked, since it may have changed kind: an mbox
// now exists where there was none.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lock/deadline.hpp"

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

  int fd_;
  // Watch descriptor -> name in the watched directory ("" for any event) ->
  // the spools it concerns.
  std::unordered_map<int, std::unordered_map<std::string, std::vector<std::size_t>>> spools_of_;
  std::size_t spool_count_ = 0;                // highest index + 1
  std::unordered_set<std::size_t> watched_;    // spools watched before
  std::unordered_set<std::size_t> half_made_;  // see half_made()
};

}  // namespace forumgate::spool
