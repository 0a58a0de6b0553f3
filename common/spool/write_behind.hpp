#pragma once
// Message files written on a second thread, behind the one that reads them.
//
// Splitting an mbox is mostly the kernel's work: creating a file per
// message and copying the message into its page cache. One thread does it
// at the speed of one core; handing the write and close of each file to a
// writer thread lets them overlap with reading the next messages when the
// process may run on a second CPU (with one, no thread is started).
// Everything that decides something stays with the caller: file names and
// their creation (O_EXCL, in order), the commit, the rollback.
//
// Memory stays bounded: a message is handed over only when it is at most
// 4 MiB, and only while fewer than 64 messages and 8 MiB wait; otherwise
// the caller writes it itself, as it would without the thread (so a large
// message is never held twice, and a full queue costs no waiting). A
// message of up to 64 KiB is copied; a larger one is not: its string is
// taken, and one the writer is done with (kept up to 8 MiB in all) is left
// in its place, so a reader's large buffer keeps being reused rather than
// mapped and faulted in again for each message.
//
// Errors: the first write that fails (a full disk) is thrown by the next
// write() or finish(), and stays until settle(); the writes queued after it
// are not done, only their files closed, since the owner will roll back.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace forumgate::spool {

class WriteBehind {
 public:
  WriteBehind() = default;
  // Writes what is still queued and joins the thread; a failure then is
  // dropped, since an owner that did not finish() rolls back.
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Writes prefix then data into fd, an open new file, and closes it:
  // now, or later on the writer's thread. fd is the writer's from the call
  // on, whatever happens. what names the file in errors. When owner holds
  // data, the writer may take *owner, leaving another (empty) string there;
  // without owner the write is done now. Error(74) "cannot write WHAT" for
  // this write or for an earlier one that failed.
  void write(int fd, std::string what, std::string_view prefix, std::string_view data,
             std::string* owner = nullptr);
  // Returns once every write is done; throws the first one that failed.
  void finish();
  // Returns once every write is done, and forgets a failure: for an owner
  // about to remove the files.
  void settle();

 private:
  struct Job {
    int fd = -1;
    std::string what;
    std::string prefix;
    std::string buffer;  // holds the data, at offset
    size_t offset = 0, size = 0;
  };
  bool has_thread();  // started at the first message handed over; false when none can be had
  void run();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  static void write_now(int fd, const std::string& what, std::string_view prefix, std::string_view data);

  static constexpr size_t copied = size_t{64} << 10;  // a message copied when handed over
  static constexpr size_t largest = size_t{4} << 20;  // a message handed over
  static constexpr size_t most_bytes = size_t{8} << 20;  // waiting at once
  static constexpr size_t most_jobs = 64;

  std::mutex mutex_;
  std::condition_variable work_;  // for the thread: a job, or stop
  std::condition_variable idle_;  // for the caller: a job done
  std::deque<Job> jobs_;
  struct Spare {
    std::string buffer;
    size_t held;  // the most it held: about what it keeps resident
  };
  std::vector<Spare> spare_;  // buffers written out, for the caller's next messages
  size_t spare_bytes_ = 0;
  size_t bytes_ = 0;                // of the jobs waiting or being written
  bool busy_ = false;               // the thread is writing a job
  bool stop_ = false;
  bool no_thread_ = false;  // starting it failed: every write is done at once
  std::exception_ptr failed_;
  std::thread thread_;
};

}  // namespace forumgate::spool
