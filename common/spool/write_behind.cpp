#include "spool/write_behind.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "util/error.hpp"
#include "util/fd.hpp"

namespace forumgate::spool {

WriteBehind::~WriteBehind() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WriteBehind::write_now(const NewFile& file, std::string_view prefix, std::string_view data) {
  // On record before it exists, so that no failure can leave a file made
  // here that a rollback does not know of.
  {
    std::lock_guard lock(mutex_);
    created_.push_back(file.name);
  }
  // Never over a file that is there already: it may be the only copy of
  // a message an earlier run took.
  util::Fd fd(::openat(file.dir_fd, file.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    const int err = errno;
    {
      std::lock_guard lock(mutex_);
      created_.erase(std::find(created_.rbegin(), created_.rend(), file.name).base() - 1);
    }
    if (err == EEXIST && !file.advice.empty()) {
      throw Error(Exit::cantcreat, file.what + " exists already: " + std::string(file.advice));
    }
    throw system_error(Exit::cantcreat, "cannot create " + file.what, err);
  }
  util::write_all(fd.get(), {prefix, data}, file.what);
  if (!fd.close()) throw system_error(Exit::ioerr, "cannot write " + file.what);
}

void WriteBehind::write(NewFile file, std::string_view prefix, std::string_view data, std::string* owner) {
  const auto at = reinterpret_cast<uintptr_t>(data.data());
  const auto base = reinterpret_cast<uintptr_t>(owner ? owner->data() : nullptr);
  const bool owned = owner && at >= base && data.size() <= owner->size() && at - base <= owner->size() - data.size();
  const bool take = owned && data.size() > copied && owner->capacity() <= most_room;
  std::unique_lock lock(mutex_);
  if (failed_) std::rethrow_exception(failed_);
  // What the job will count for: the room of the string it takes, or of
  // the buffer it is copied into (for a larger message, a kept one with
  // room enough, so that it does not grow).
  const bool reuse = !take && data.size() > copied && !spares_.empty() && spares_.back().capacity() >= data.size();
  const size_t room = take ? owner->capacity() : reuse ? spares_.back().capacity() : data.size();
  if (data.size() > largest || jobs_.size() >= most_jobs || jobs_room_ + room > most_room || !has_thread()) {
    lock.unlock();
    write_now(file, prefix, data);
    return;
  }
  Job job;
  job.file = std::move(file);
  job.prefix = std::string(prefix);
  job.size = data.size();
  if (take) {
    // data now lies in job.buffer at the same offset (a short string's
    // bytes would move along, but those are copied).
    job.offset = at - base;
    job.buffer.swap(*owner);
    if (!spares_.empty()) {
      owner->swap(spares_.back());
      spares_room_ -= owner->capacity();
      spares_.pop_back();
    }
  } else {
    if (reuse) {
      job.buffer.swap(spares_.back());
      spares_room_ -= job.buffer.capacity();
      spares_.pop_back();
    }
    job.buffer.assign(data);
  }
  job.room = std::max(room, job.buffer.capacity());  // a copy's room is its size, or the kept buffer's
  const size_t job_room = job.room;
  jobs_.push_back(std::move(job));
  jobs_room_ += job_room;
  lock.unlock();
  work_.notify_one();
}

bool WriteBehind::has_thread() {
  if (thread_.joinable()) return true;
  if (no_thread_) return false;
  // With one CPU to run on, a second thread only takes turns with this one.
  cpu_set_t cpus;
  if (when_ == Thread::never ||
      (when_ == Thread::by_cpus && sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2)) {
    no_thread_ = true;
    return false;
  }
  // The thread blocks every signal (it inherits the mask), so that they
  // reach the caller's thread, which stops between messages.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    no_thread_ = true;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return !no_thread_;
}

// Kept for the caller's next messages while there is room: freed, a large
// buffer would be mapped and faulted in again for the next large message.
void WriteBehind::keep_spare(std::string& buffer) {
  const size_t room = buffer.capacity();
  if (room <= copied || spares_room_ + room > most_room) return;
  buffer.clear();
  spares_room_ += room;
  spares_.push_back(std::move(buffer));
}

void WriteBehind::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopped, and all written
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    const bool skip = failed_ != nullptr;
    lock.unlock();
    std::exception_ptr error;
    if (!skip) {  // after a failure nothing more is made: the owner rolls back
      try {
        write_now(job.file, job.prefix, std::string_view(job.buffer).substr(job.offset, job.size));
      } catch (...) {
        error = std::current_exception();
      }
    }
    lock.lock();
    busy_ = false;
    jobs_room_ -= job.room;
    if (error && !failed_) failed_ = error;
    keep_spare(job.buffer);
    idle_.notify_all();
  }
}

void WriteBehind::wait_idle(std::unique_lock<std::mutex>& lock) {
  idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

void WriteBehind::finish() {
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  if (failed_) std::rethrow_exception(failed_);
}

void WriteBehind::settle() {
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  failed_ = nullptr;
}

std::vector<std::string> WriteBehind::take_created() {
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  std::vector<std::string> names = std::move(created_);
  created_.clear();
  return names;
}

}  // namespace forumgate::spool
