#pragma once
// How a piece of work grows with its input, measured on the machine the test
// runs on: the CPU time of the fastest of a few runs at size n and at size
// 16n. Linear work takes about 16 times as long at 16n, quadratic work 256
// times: a test asserts the ratio, never a time, so that it holds on a fast
// machine and a slow or loaded one alike.

#include <time.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace forumgate::test {

// The CPU seconds this thread has used: time the other processes of a
// loaded machine take from it does not count.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU seconds the fastest of `runs` calls of f took.
template <class F>
double fastest_seconds(F&& f, int runs) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    double start = thread_cpu_seconds();
    f();
    best = std::min(best, thread_cpu_seconds() - start);
  }
  return best;
}

// How many times longer work(16 * n) takes than work(n).
template <class F>
double growth(F&& work, int n) {
  double small = fastest_seconds([&] { work(n); }, 5);
  double large = fastest_seconds([&] { work(16 * n); }, 3);
  return large / std::max(small, 1e-6);
}

// Below this, growth is linear (16, and up to four times that when the
// larger input no longer fits a cache the smaller one did: seen for 80 kB
// against 1.3 MB); quadratic work is at 256.
constexpr double linear_growth = 64.0;

// unit repeated to at least bytes bytes.
inline std::string repeat(std::string_view unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s.append(unit);
  return s;
}

}  // namespace forumgate::test
