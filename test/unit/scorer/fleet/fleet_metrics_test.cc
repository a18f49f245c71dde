// The vitals_scorer_fleet_* self-metrics follow the view's own totals: each
// Update() brings the counters up to them (never down, never twice) and
// sets the job gauge; without a follower its figures stay at 0.

#include "scorer/fleet/fleet_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/metrics/text_exposition.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT = 1'924'992'000'000;
constexpr char kReplica[] = "http://scorer-0.scorer:9095";

std::string Report(const std::string& job_name, int64_t evaluated_at_ms) {
  v1::HealthReport report;
  report.set_job_name(job_name);
  report.set_job_id("id-" + job_name);
  report.set_evaluated_at_ms(evaluated_at_ms);
  return report.SerializeAsString();
}

TEST(FleetMetricsTest, CountersFollowTheViewsTotals) {
  prometheus::Registry registry;
  FleetMetrics metrics(registry);
  FleetView view(absl::Minutes(1));

  metrics.Update(view, nullptr);
  std::string text = metrics::RenderText(registry);
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_records_total{result=\"applied\"} 0"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_jobs 0"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_caught_up 0"));

  view.Apply("a", Report("a", kT), kReplica, kT);
  view.Apply("b", Report("b", kT), kReplica, kT);
  view.Apply("c", Report("c", kT - 120'000), kReplica, kT);
  view.Apply("a", Report("a", kT - 10'000), kReplica, kT);  // stale
  view.Apply("b", "", kReplica, kT);                        // tombstone
  view.Apply("x", "not a report", kReplica, kT);            // malformed
  view.Expire(kT);                                          // c is too old
  metrics.Update(view, nullptr);
  metrics.Update(view, nullptr);  // twice: counted once
  text = metrics::RenderText(registry);
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_records_total{result=\"applied\"} 3"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_records_total{result=\"stale\"} 1"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_records_total{result=\"forgotten\"} 1"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_records_total{result=\"malformed\"} 1"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_jobs_expired_total 1"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_jobs 1"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_fleet_poll_errors_total 0"));
}

}  // namespace
}  // namespace vitals::scorer
