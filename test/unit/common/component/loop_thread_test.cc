#include "common/component/loop_thread.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace vitals {
namespace {

// Waits (real time, bounded) until `done` holds.
template <typename Pred>
bool Eventually(Pred done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(LoopThreadTest, StepsRunWhenManualTimeReachesTheTimeTheyAskFor) {
  ManualTimeSource time(1'000);
  std::mutex mu;
  std::vector<int64_t> ran_at;
  LoopThread loop(
      "ticker", &time,
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        ran_at.push_back(time.NowMs());
        return time.NowMs() + 100;
      },
      /*first_run_ms=*/1'100);
  ASSERT_TRUE(loop.Start().ok());
  const auto runs = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return ran_at.size();
  };
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(runs(), 0u) << "ran before its time";
  time.Advance(absl::Milliseconds(100));
  ASSERT_TRUE(Eventually([&] { return runs() == 1; }));
  time.Advance(absl::Milliseconds(50));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(runs(), 1u) << "ran before its time";
  time.Advance(absl::Milliseconds(50));
  ASSERT_TRUE(Eventually([&] { return runs() == 2; }));
  EXPECT_TRUE(loop.Shutdown(absl::Now()).ok());
  EXPECT_EQ(ran_at, (std::vector<int64_t>{1'100, 1'200}));
}

TEST(LoopThreadTest, ShutdownEndsAWaitAtOnce) {
  ManualTimeSource time(0);
  std::atomic<int> runs{0};
  LoopThread loop("idle", &time, [&] {
    ++runs;
    return int64_t{1'000'000};  // never reached on this clock
  });
  ASSERT_TRUE(loop.Start().ok());
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  const absl::Time before = absl::Now();
  EXPECT_TRUE(loop.Shutdown(absl::Now()).ok());
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(loop.Shutdown(absl::Now()).ok());
  EXPECT_FALSE(loop.Start().ok()) << "a stopped loop does not start again";
}

TEST(LoopThreadTest, ShutdownWithoutStartIsSafe) {
  LoopThread loop("never", &SystemTimeSource::Get(), [] { return int64_t{0}; });
  EXPECT_TRUE(loop.Shutdown(absl::Now()).ok());
}

}  // namespace
}  // namespace vitals
