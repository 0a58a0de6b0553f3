#pragma once
// Message files made and written on a second thread, behind the one that
// reads the messages (docs/design.md, mailsplit, says why and how its memory
// stays bounded). The caller keeps what decides something: the names, the
// commit, the rollback. The writer makes each file with O_EXCL and keeps
// their names, so that a rollback removes those and nothing else; the first
// file that cannot be made or written is thrown by the next write() or
// finish().

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
  // by_cpus: a thread only when the process may run on two CPUs or more;
  // always: whatever the CPUs (for tests); never: every file is written
  // before write() returns.
  enum class Thread { by_cpus, always, never };
  explicit WriteBehind(Thread when = Thread::by_cpus) : when_(when) {}
  // Writes what is still queued and joins the thread; a failure then is
  // dropped, since an owner that did not finish() rolls back.
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // A file to make: name in the directory dir_fd, which must not exist
  // (O_EXCL, mode 0600); what names it in errors ("DIR/NAME"). With
  // advice, one that is there already is told as "WHAT exists already:
  // ADVICE" (advice must outlive the write: a literal).
  struct NewFile {
    int dir_fd = -1;
    std::string name, what;
    std::string_view advice = {};
  };
  // Makes file and writes prefix then data into it, now or later on the
  // writer's thread. When owner holds data, the writer may take *owner,
  // leaving another (empty) string there. Error(73) when the file cannot
  // be made, Error(74) "cannot write WHAT" when it cannot be written: for
  // this file or for an earlier one.
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
    size_t room = 0;  // buffer's capacity when queued: what it counts for
  };
  bool has_thread();  // started at the first message handed over; false when none is to be had
  void run();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  void write_now(const NewFile& file, std::string_view prefix, std::string_view data);
  void keep_spare(std::string& buffer);  // under the lock

  static constexpr size_t copied = size_t{64} << 10;    // a message this small is copied
  static constexpr size_t largest = size_t{4} << 20;    // a message handed over at most
  static constexpr size_t most_room = size_t{8} << 20;  // waiting, and kept for reuse, each
  static constexpr size_t most_jobs = 64;

  const Thread when_;
  std::mutex mutex_;
  std::condition_variable work_;  // for the thread: a job, or stop
  std::condition_variable idle_;  // for the caller: a job done
  std::deque<Job> jobs_;
  size_t jobs_room_ = 0;             // of the jobs waiting or being written
  std::vector<std::string> spares_;  // buffers written out, for reuse
  size_t spares_room_ = 0;
  bool busy_ = false;  // the thread is writing a job
  bool stop_ = false;
  bool no_thread_ = false;  // one CPU, or starting it failed: every write is done at once
  std::exception_ptr failed_;
  std::vector<std::string> created_;  // files made, by either thread
  std::thread thread_;
};

}  // namespace forumgate::spool
