#include "scaling.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>

namespace {

// Work the compiler cannot drop.
volatile std::uint64_t sink;

void linear(int n) {
  std::uint64_t x = 0;
  for (int i = 0; i < n * 1000; ++i) x = x * 31 + i;
  sink = x;
}

void quadratic(int n) {
  std::uint64_t x = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) x = x * 31 + j;
  sink = x;
}

}  // namespace

// The measure the linear-time tests rely on tells the two apart on this
// machine, whatever its speed.
TEST(Scaling, TellsLinearFromQuadraticWork) {
  double linear_growth = forumgate::test::growth(linear, 2000);
  double quadratic_growth = forumgate::test::growth(quadratic, 500);
  std::cout << "[ measured ] 16 times the input: linear work " << linear_growth << " times the time, quadratic "
            << quadratic_growth << "\n";
  EXPECT_LT(linear_growth, forumgate::test::linear_growth);
  EXPECT_GT(quadratic_growth, forumgate::test::linear_growth);
}
