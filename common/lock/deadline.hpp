#pragma once
// How long a lock is waited for: not at all (-n), for a while (-w SECS), or
// for ever. A caught signal can end the wait early: the deadline then counts
// as passed, so every waiting loop stops the same way for both reasons.

#include <chrono>
#include <csignal>
#include <optional>

namespace forumgate::lock {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  static Deadline never() { return Deadline(std::nullopt); }
  static Deadline now() { return Deadline(Clock::now()); }
  static Deadline after(std::chrono::nanoseconds d) { return Deadline(Clock::now() + d); }
  // After a number of seconds as a user gives it (-w 0.5); beyond 30 years
  // is never, which would overflow the clock.
  static Deadline after_seconds(double seconds) {
    if (seconds > 1e9) return never();
    return after(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds)));
  }

  // The wait also ends once *flag is non-zero (set by a signal handler).
  Deadline& cancelled_by(const volatile std::sig_atomic_t* flag) {
    cancel_ = flag;
    return *this;
  }

  bool cancelled() const { return cancel_ != nullptr && *cancel_ != 0; }
  bool is_never() const { return !at_; }
  bool passed() const;
  // Time left, zero when passed; for never, the given cap.
  std::chrono::nanoseconds remaining(std::chrono::nanoseconds cap) const;

  // Sleeps for d or until the deadline, whichever is first; a signal
  // interrupts the sleep.
  void sleep_for(std::chrono::nanoseconds d) const;

 private:
  explicit Deadline(std::optional<Clock::time_point> at) : at_(at) {}

  std::optional<Clock::time_point> at_;
  const volatile std::sig_atomic_t* cancel_ = nullptr;
};

}  // namespace forumgate::lock
