#pragma once
// Message files written on a second thread, behind the one that reads them.
//
// Splitting an mbox is mostly the kernel's work: creating a file per
// message and copying the message into its page cache. One thread does it
// at the speed of one core; handing the write and close of each file to a
// writer thread lets them overlap with reading the next messages when the
// process may run on a second CPU (with one, no thread is started).
// The caller keeps what decides something: the files' names, the commit,
// the rollback. The writer makes each file with O_EXCL, never over one
// that is there, and keeps the names of those it made, so that a rollback
// removes those and nothing else.
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
// Errors: the first file that cannot be made or written (a full disk) is
// thrown by the next write() or finish(), and stays until settle(); the
// files queued after it are not made, since the owner will roll back.

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

  // A file to make: name in the directory dir_fd, which must not exist
  // (O_EXCL, mode 0600); what names it in errors ("DIR/NAME"); exists, when
  // not empty, is the error when it exists already.
  struct NewFile {
    int dir_fd = -1;
    std::string name, what, exists;
  };
  // Creates file and writes prefix then data into it, now or later on the
  // writer's thread. When owner holds data, the writer may take *owner,
  // leaving another (empty) string there; without owner a message over
  // 64 KiB is written now. Error(73) when the file cannot be made,
  // Error(74) "cannot write WHAT" when it cannot be written: for this file
  // or for an earlier one.
  void write(NewFile file, std::string_view prefix, std::string_view data, std::string* owner = nullptr);
  // Returns once every write is done; throws the first one that failed.
  void finish();
  // Returns once every write is done, and forgets a failure: for an owner
  // about to remove the files.
  void settle();
  // Once every write is done, the names of the files made since the last
  // call: what a rollback removes (not a file that was there already).
  std::vector<std::string> take_created();

 private:
  struct Job {
    NewFile file;
    std::string prefix;
    std::string buffer;  // holds the data, at offset
    size_t offset = 0, size = 0;
  };
  bool has_thread();  // started at the first message handed over; false when none can be had
  void run();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  void write_now(const NewFile& file, std::string_view prefix, std::string_view data);

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
  std::vector<std::string> created_;  // files made, by either thread
  std::thread thread_;
};

}  // namespace forumgate::spool
