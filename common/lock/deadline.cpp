#include "lock/deadline.hpp"

#include <time.h>

#include <algorithm>

namespace forumgate::lock {

bool Deadline::passed() const {
  if (cancelled()) return true;
  return at_ && Clock::now() >= *at_;
}

std::chrono::nanoseconds Deadline::remaining(std::chrono::nanoseconds cap) const {
  if (cancelled()) return std::chrono::nanoseconds::zero();
  if (!at_) return cap;
  auto left = *at_ - Clock::now();
  return std::clamp(std::chrono::duration_cast<std::chrono::nanoseconds>(left), std::chrono::nanoseconds::zero(), cap);
}

void Deadline::sleep_for(std::chrono::nanoseconds d) const {
  d = remaining(d);
  if (d <= std::chrono::nanoseconds::zero()) return;
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(d.count() % 1'000'000'000);
  nanosleep(&ts, nullptr);  // EINTR is fine: the caller looks at the deadline
}

}  // namespace forumgate::lock
