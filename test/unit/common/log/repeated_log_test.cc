#include "common/log/repeated_log.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace vitals::log {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(RepeatedLogTest, FirstAtOnceThenOneLinePerPeriodCountingTheRest) {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  RepeatedLog warning(Level::kWarn, "delivery failed", absl::Seconds(10), [&] { return now; });
  ::testing::internal::CaptureStderr();
  warning.Report({{"error", "broker down 1"}});
  for (int i = 2; i <= 500; ++i) {
    now += absl::Milliseconds(10);  // 4.99 s in all: within the period
    warning.Report({{"error", "broker down " + std::to_string(i)}});
  }
  now += absl::Seconds(6);
  warning.Report({{"error", "broker down 501"}});
  const std::vector<std::string> lines = Lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "level=warn msg=\"delivery failed\""));
  EXPECT_TRUE(absl::StrContains(lines[0], "error=\"broker down 1\" occurrences=1")) << lines[0];
  // The second line stands for the 499 held back and itself, with the
  // latest fields.
  EXPECT_TRUE(absl::StrContains(lines[1], "error=\"broker down 501\" occurrences=500")) << lines[1];
}

TEST(RepeatedLogTest, QuietReportsAfterAPauseAreWrittenAtOnce) {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  RepeatedLog warning(Level::kWarn, "x", absl::Seconds(10), [&] { return now; });
  ::testing::internal::CaptureStderr();
  warning.Report({});
  now += absl::Minutes(5);
  warning.Report({});
  const std::vector<std::string> lines = Lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[1], "occurrences=1"));
}

TEST(RepeatedLogTest, ReportsFromManyThreadsAreAllCounted) {
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  std::mutex clock_mu;
  RepeatedLog warning(Level::kWarn, "x", absl::Seconds(10), [&] {
    std::lock_guard<std::mutex> lock(clock_mu);
    return now;
  });
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) warning.Report({});
    });
  }
  for (auto& thread : threads) thread.join();
  {
    std::lock_guard<std::mutex> lock(clock_mu);
    now += absl::Seconds(10);
  }
  warning.Report({});
  const std::vector<std::string> lines = Lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StrContains(lines[0], "occurrences=1"));
  EXPECT_TRUE(absl::StrContains(lines[1], "occurrences=4000")) << lines[1];
}

}  // namespace
}  // namespace vitals::log
