#include "common/base/clock.h"

#include <thread>

#include "gtest/gtest.h"

namespace vitals {
namespace {

TEST(SystemTimeSourceTest, WaitsUntilTheWallClockPassesTheDeadline) {
  const TimeSource& time = SystemTimeSource::Get();
  StopSignal never;
  const int64_t deadline = time.NowMs() + 20;
  EXPECT_TRUE(time.WaitUntil(deadline, never));
  EXPECT_GE(time.NowMs(), deadline);
}

TEST(SystemTimeSourceTest, AStopEndsTheWait) {
  StopSignal stop;
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(10));
    stop.Stop();
  });
  const int64_t start = WallClockMs();
  EXPECT_FALSE(SystemTimeSource::Get().WaitUntil(start + 60'000, stop));
  EXPECT_LT(WallClockMs() - start, 30'000);
  stopper.join();
}

TEST(ManualTimeSourceTest, MovesOnlyWhenToldAndWakesWaiters) {
  ManualTimeSource time(5'000);
  EXPECT_EQ(time.NowMs(), 5'000);
  StopSignal stop;
  std::thread advancer([&] {
    absl::SleepFor(absl::Milliseconds(10));
    time.Advance(absl::Seconds(2));
  });
  EXPECT_TRUE(time.WaitUntil(6'000, stop));
  EXPECT_EQ(time.NowMs(), 7'000);
  advancer.join();
  time.Set(100);
  EXPECT_EQ(time.NowMs(), 100);
  // A clock source exposes the same time to parts that only read it.
  EXPECT_EQ(time.clock()(), 100);
}

}  // namespace
}  // namespace vitals
