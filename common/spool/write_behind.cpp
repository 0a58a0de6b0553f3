#include "spool/write_behind.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>

#include "cli/error.hpp"
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
  // Never over a file that is there already: it may be the only copy of
  // a message an earlier run took.
  int fd = ::openat(file.dir_fd, file.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST && !file.exists.empty()) throw Error(Exit::cantcreat, file.exists);
  if (fd < 0) throw system_error(Exit::cantcreat, "cannot create " + file.what);
  {
    std::lock_guard lock(mutex_);
    created_.push_back(file.name);
  }
  try {
    util::write_all(fd, {prefix, data}, file.what);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw system_error(Exit::ioerr, "cannot write " + file.what);
}

void WriteBehind::write(NewFile file, std::string_view prefix, std::string_view data, std::string* owner) {
  const auto at = reinterpret_cast<uintptr_t>(data.data());
  const auto base = reinterpret_cast<uintptr_t>(owner ? owner->data() : nullptr);
  const bool copy = data.size() <= copied;
  const bool take = !copy && data.size() <= largest && owner && at >= base && data.size() <= owner->size() &&
                    at - base <= owner->size() - data.size();
  std::unique_lock lock(mutex_);
  if (failed_) std::rethrow_exception(failed_);
  if (!(copy || take) || jobs_.size() >= most_jobs || bytes_ + data.size() > most_bytes || !has_thread()) {
    lock.unlock();
    write_now(file, prefix, data);
    return;
  }
  Job job;
  job.file = std::move(file);
  job.prefix = std::string(prefix);
  job.size = data.size();
  if (copy) {
    job.buffer.assign(data);
  } else {
    // data now lies in job.buffer at the same offset (an SSO string would
    // have moved its bytes along, but those are copied, above).
    job.offset = at - base;
    job.buffer.swap(*owner);
    if (!spare_.empty()) {
      owner->swap(spare_.back().buffer);
      spare_bytes_ -= spare_.back().held;
      spare_.pop_back();
    }
  }
  bytes_ += job.size;
  jobs_.push_back(std::move(job));
  lock.unlock();
  work_.notify_one();
}

bool WriteBehind::has_thread() {
  if (thread_.joinable()) return true;
  if (no_thread_) return false;
  // With one core to run on, a second thread only takes turns with this one.
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2) {
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
    job.buffer.clear();
    lock.lock();
    busy_ = false;
    bytes_ -= job.size;
    if (error && !failed_) failed_ = error;
    // Kept for the caller's next messages, up to a bound: a large buffer
    // freed is mapped and faulted in again for the next large message.
    if (job.size > copied && spare_bytes_ + job.size <= most_bytes) {
      spare_bytes_ += job.size;
      spare_.push_back({std::move(job.buffer), job.size});
    }
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
