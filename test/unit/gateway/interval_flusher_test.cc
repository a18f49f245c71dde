#include "gateway/interval_flusher.h"

#include <gtest/gtest.h>

#include <mutex>
#include <utility>
#include <vector>

namespace vitals::gateway {
namespace {

constexpr int64_t kInterval = 10'000;

class IntervalFlusherTest : public ::testing::Test {
 protected:
  using Flushed = std::vector<std::pair<int64_t, bool>>;

  IntervalFlusher::Flush Recorder() {
    return [this](int64_t boundary, bool final_flush) {
      std::lock_guard<std::mutex> lock(mu_);
      flushed_.emplace_back(boundary, final_flush);
    };
  }
  Flushed flushed() {
    std::lock_guard<std::mutex> lock(mu_);
    return flushed_;
  }
  // Waits (real time, bounded) for the flusher's thread.
  bool WaitForFlushes(size_t n) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (flushed().size() < n) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return true;
  }

  std::mutex mu_;
  Flushed flushed_;
};

TEST_F(IntervalFlusherTest, ClosesEachBoundaryOnceTimeReachesIt) {
  ManualTimeSource time(100 * kInterval + 4'000);
  IntervalFlusher flusher(&time, absl::Milliseconds(kInterval), Recorder());
  ASSERT_TRUE(flusher.Start().ok());
  time.Advance(absl::Milliseconds(5'999));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_TRUE(flushed().empty()) << "a boundary closed before time reached it";
  time.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(WaitForFlushes(1));
  // Late by three intervals: each boundary passed is closed in turn.
  time.Advance(absl::Milliseconds(3 * kInterval));
  ASSERT_TRUE(WaitForFlushes(4));
  EXPECT_EQ(flushed(), (Flushed{{101 * kInterval, false},
                                {102 * kInterval, false},
                                {103 * kInterval, false},
                                {104 * kInterval, false}}));
}

TEST_F(IntervalFlusherTest, SkipsAheadWhenFarBehindTheClock) {
  ManualTimeSource time(100 * kInterval);
  IntervalFlusher flusher(&time, absl::Milliseconds(kInterval), Recorder());
  ASSERT_TRUE(flusher.Start().ok());
  // A clock jump of an hour: not 360 flushes of nothing, one.
  time.Advance(absl::Hours(1));
  ASSERT_TRUE(WaitForFlushes(1));
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(flushed(), (Flushed{{100 * kInterval + 3'600'000, false}}));
}

TEST_F(IntervalFlusherTest, ShutdownClosesTheOpenIntervalLast) {
  ManualTimeSource time(100 * kInterval + 1'000);
  IntervalFlusher flusher(&time, absl::Milliseconds(kInterval), Recorder());
  ASSERT_TRUE(flusher.Start().ok());
  time.Advance(absl::Milliseconds(kInterval));
  ASSERT_TRUE(WaitForFlushes(1));
  EXPECT_TRUE(flusher.Shutdown(absl::Now()).ok());
  EXPECT_EQ(flushed(), (Flushed{{101 * kInterval, false}, {102 * kInterval, true}}));
  EXPECT_TRUE(flusher.Shutdown(absl::Now()).ok());
  EXPECT_EQ(flushed().size(), 2u) << "a second shutdown flushes nothing";
}

}  // namespace
}  // namespace vitals::gateway
