#include "scorer/fleet/fleet_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace vitals::scorer {
namespace {

constexpr int64_t kT = 1'924'992'000'000;  // 2031-01-01T00:00:00Z
constexpr char kReplicaA[] = "http://scorer-0.scorer:9095";
constexpr char kReplicaB[] = "http://scorer-1.scorer:9095";

std::string Report(const std::string& job_name, int64_t evaluated_at_ms, double score = 7,
                   const std::string& job_id = "") {
  v1::HealthReport report;
  report.set_job_name(job_name);
  report.set_job_id(job_id.empty() ? "id-" + job_name : job_id);
  report.set_evaluated_at_ms(evaluated_at_ms);
  report.set_score(score);
  return report.SerializeAsString();
}

TEST(FleetViewTest, KeepsTheNewestReportOfEachJob) {
  FleetView view(absl::Minutes(5));
  EXPECT_EQ(view.Apply("job-a", Report("job-a", kT, 7), kReplicaA, kT),
            FleetView::Outcome::kApplied);
  EXPECT_EQ(view.Apply("job-b", Report("job-b", kT, 3), kReplicaB, kT),
            FleetView::Outcome::kApplied);
  EXPECT_EQ(view.Apply("job-a", Report("job-a", kT + 10'000, 6), kReplicaA, kT + 10'000),
            FleetView::Outcome::kApplied);
  EXPECT_EQ(view.size(), 2u);

  std::vector<FleetReport> all = view.Latest();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "job-a");
  EXPECT_EQ(all[0].report.score(), 6);
  EXPECT_EQ(all[0].replica_url, kReplicaA);
  EXPECT_EQ(all[0].timestamp_ms, kT + 10'000);
  EXPECT_EQ(all[1].key, "job-b");
  EXPECT_EQ(all[1].replica_url, kReplicaB);
}

TEST(FleetViewTest, AnOlderReplayDoesNotReplaceANewerReport) {
  FleetView view(absl::Minutes(5));
  view.Apply("job-a", Report("job-a", kT + 20'000, 4), kReplicaB, kT + 20'000);
  // Replayed from the topic's lookback, or late from the previous owner.
  EXPECT_EQ(view.Apply("job-a", Report("job-a", kT + 10'000, 9), kReplicaA, kT + 30'000),
            FleetView::Outcome::kStale);
  std::optional<FleetReport> a = view.Latest("job-a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->report.score(), 4);
  EXPECT_EQ(a->replica_url, kReplicaB);
  EXPECT_EQ(view.counts().stale, 1u);
  EXPECT_EQ(view.counts().applied, 1u);
}

TEST(FleetViewTest, OnATieTheLaterRecordWins) {
  // Handed over mid-interval: both replicas graded the same evaluation.
  FleetView view(absl::Minutes(5));
  view.Apply("job-a", Report("job-a", kT), kReplicaA, kT);
  EXPECT_EQ(view.Apply("job-a", Report("job-a", kT), kReplicaB, kT + 1),
            FleetView::Outcome::kApplied);
  EXPECT_EQ(view.Latest("job-a")->replica_url, kReplicaB);
}

TEST(FleetViewTest, AReportWithoutEvaluationTimeIsDatedByItsRecord) {
  FleetView view(absl::Minutes(5));
  view.Apply("job-a", Report("job-a", 0, 5), kReplicaA, kT + 5'000);
  EXPECT_EQ(view.Apply("job-a", Report("job-a", kT, 8), kReplicaA, kT + 6'000),
            FleetView::Outcome::kStale);
  EXPECT_EQ(view.Latest("job-a")->report.score(), 5);
  // And it expires by that date.
  EXPECT_EQ(view.Expire(kT + 5'000 + absl::ToInt64Milliseconds(absl::Minutes(5)) + 1), 1u);
}

TEST(FleetViewTest, ForgetsJobsNotReportedWithinTheExpiry) {
  FleetView view(absl::Minutes(5));
  view.Apply("job-old", Report("job-old", kT), kReplicaA, kT);
  view.Apply("job-new", Report("job-new", kT + 240'000), kReplicaA, kT + 240'000);
  EXPECT_EQ(view.Expire(kT + 300'000), 0u);  // exactly the expiry: kept
  EXPECT_EQ(view.Expire(kT + 300'001), 1u);
  EXPECT_EQ(view.size(), 1u);
  EXPECT_FALSE(view.Latest("job-old").has_value());
  EXPECT_FALSE(view.Latest("id-job-old").has_value());
  EXPECT_TRUE(view.Latest("job-new").has_value());
  EXPECT_EQ(view.counts().expired, 1u);
  // Reported again: back.
  view.Apply("job-old", Report("job-old", kT + 310'000), kReplicaB, kT + 310'000);
  EXPECT_EQ(view.Latest("job-old")->replica_url, kReplicaB);
}

TEST(FleetViewTest, SkipsMalformedRecordsAndCountsThem) {
  FleetView view(absl::Minutes(5));
  view.Apply("job-a", Report("job-a", kT, 7), kReplicaA, kT);
  const std::string not_a_report("\xff\xff\xff\xff\x0f", 5);
  EXPECT_EQ(view.Apply("job-a", not_a_report, kReplicaB, kT + 1), FleetView::Outcome::kMalformed);
  EXPECT_EQ(view.Apply("job-a", "{\"job_name\": \"job-a\"}", kReplicaB, kT + 1),
            FleetView::Outcome::kMalformed);
  v1::HealthReport nameless;
  nameless.set_evaluated_at_ms(kT + 1);
  EXPECT_EQ(view.Apply("job-a", nameless.SerializeAsString(), kReplicaB, kT + 1),
            FleetView::Outcome::kMalformed);
  EXPECT_EQ(view.Apply("", Report("job-z", kT), kReplicaB, kT), FleetView::Outcome::kMalformed);
  EXPECT_EQ(view.counts().malformed, 4u);
  EXPECT_EQ(view.size(), 1u);
  EXPECT_EQ(view.Latest("job-a")->report.score(), 7);
  EXPECT_EQ(view.Latest("job-a")->replica_url, kReplicaA);
}

TEST(FleetViewTest, ATombstoneForgetsTheJob) {
  FleetView view(absl::Minutes(5));
  view.Apply("job-a", Report("job-a", kT), kReplicaA, kT);
  EXPECT_EQ(view.Apply("job-a", "", "", kT + 1), FleetView::Outcome::kForgotten);
  EXPECT_EQ(view.size(), 0u);
  EXPECT_FALSE(view.Latest("id-job-a").has_value());
  EXPECT_EQ(view.Apply("job-unknown", "", "", kT + 1), FleetView::Outcome::kForgotten);
}

TEST(FleetViewTest, FindsAJobByKeyNameOrCurrentId) {
  FleetView view(absl::Minutes(5));
  view.Apply("orders", Report("orders", kT, 7, "aaaa"), kReplicaA, kT);
  view.Apply("team-1/clicks", Report("clicks", kT, 6, "bbbb"), kReplicaA, kT);
  view.Apply("team-1/etl", Report("etl", kT, 5, "cccc"), kReplicaA, kT);
  view.Apply("team-2/etl", Report("etl", kT, 4, "dddd"), kReplicaB, kT);

  EXPECT_EQ(view.Latest("orders")->key, "orders");
  EXPECT_EQ(view.Latest("aaaa")->key, "orders");
  EXPECT_EQ(view.Latest("team-1/clicks")->key, "team-1/clicks");
  EXPECT_EQ(view.Latest("clicks")->key, "team-1/clicks");  // one tenant has it
  EXPECT_FALSE(view.Latest("etl").has_value());            // two tenants have it
  EXPECT_EQ(view.Latest("dddd")->key, "team-2/etl");
  EXPECT_FALSE(view.Latest("nothing").has_value());

  // Redeployed: a new job id, the old one leads nowhere.
  view.Apply("orders", Report("orders", kT + 10'000, 7, "eeee"), kReplicaA, kT + 10'000);
  EXPECT_FALSE(view.Latest("aaaa").has_value());
  EXPECT_EQ(view.Latest("eeee")->key, "orders");
}

TEST(FleetViewTest, ReadersAndWritersShareItSafely) {
  FleetView view(absl::Minutes(5));
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&view, w] {
      for (int i = 0; i < 500; ++i) {
        const std::string job = "job-" + std::to_string(i % 50);
        view.Apply(job, Report(job, kT + i * 1000 + w), w % 2 ? kReplicaA : kReplicaB, kT);
        if (i % 100 == 0) view.Expire(kT);
      }
    });
  }
  threads.emplace_back([&view] {
    for (int i = 0; i < 500; ++i) {
      (void)view.Latest();
      (void)view.Latest("job-7");
      (void)view.size();
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(view.size(), 50u);
  // Each job holds the newest of everything written for it.
  EXPECT_EQ(view.Latest("job-49")->report.evaluated_at_ms(), kT + 499 * 1000 + 3);
}

}  // namespace
}  // namespace vitals::scorer
