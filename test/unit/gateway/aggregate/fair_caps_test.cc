// The aggregator's fair caps (aggregator.h): a runaway sender is bounded
// per interval and kept out of the reserved room, so new jobs of other
// senders still get in while it floods; drops are counted by reason and
// kind of sender; the per-sender books empty again after expiry.

#include <string>

#include "gateway/aggregate/aggregator.h"
#include "gateway/aggregate/source_ledger.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/aggregate/test_samples.h"

namespace vitals::gateway {
namespace {

using testing::FindBatch;
using testing::OwnedSample;
using testing::Send;
using testing::TestConfig;

constexpr int64_t kT0 = 1'700'000'000'000;  // a multiple of 10 s
constexpr int64_t kInterval = 10'000;

// One series of job `job` from `source`: `n` tells the series of one job
// apart.
OwnedSample Series(std::string job, std::string source, int n, int64_t ts) {
  OwnedSample s;
  s.scope = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
  s.metric = "numRecordsIn";
  s.job_name = std::move(job);
  s.job_id = "id-" + s.job_name;
  s.labels = {{"operator_name", "op" + std::to_string(n)}, {"task_name", "t"}};
  s.source = std::move(source);
  s.value = 1;
  s.timestamp_ms = ts;
  return s;
}

// A flood of `jobs` new jobs of one series each from `source`, in the
// interval at `ts`.
void Flood(Aggregator& aggregator, const std::string& source, int jobs, int64_t ts) {
  for (int j = 0; j < jobs; ++j) {
    Send(aggregator, Series("flood-" + std::to_string(j), source, 0, ts));
  }
}

TEST(SourceKindTest, ReadOffTheSourceString) {
  EXPECT_EQ(SourceKindOf("push:job@base64/x/instance/tm-1"), "push");
  EXPECT_EQ(SourceKindOf("scrape:10.0.0.1:9249"), "scrape");
  EXPECT_EQ(SourceKindOf("statsd:10.0.0.1:41234"), "statsd");
  EXPECT_EQ(SourceKindOf("influx:10.0.0.1"), "influx");
  // A new receiver's prefix is its kind: no list to extend.
  EXPECT_EQ(SourceKindOf("otlp:10.0.0.1:4317"), "otlp");
  EXPECT_EQ(SourceKindOf("pod-a"), "other");
  EXPECT_EQ(SourceKindOf(""), "other");
  EXPECT_EQ(SourceKindOf(":x"), "other");
  EXPECT_EQ(SourceKindOf("Push Group:x"), "other");
  EXPECT_EQ(SourceKindOf("a_very_long_receiver_name:x"), "other");
  EXPECT_EQ(DropReasonName(DropReason::kSourceCap), "source_cap");
}

TEST(SourceKindTest, AKindIsCountedFromItsFirstSeriesBeforeAnyDrop) {
  Aggregator aggregator(TestConfig());
  Send(aggregator, Series("job-a", "influx:10.0.0.1", 0, kT0));
  const AggregatorStats stats = aggregator.stats();
  EXPECT_TRUE(stats.dropped.by_kind().contains("influx"));
  EXPECT_FALSE(stats.dropped.by_kind().contains("statsd"));
  EXPECT_EQ(stats.dropped_for(DropReason::kGlobalCap, "influx"), 0u);
}

TEST(FairCapsTest, ARunawaySourceIsBoundedPerIntervalAndCountedByKind) {
  AggregatorConfig config = TestConfig();
  config.max_new_series_per_source = 100;
  Aggregator aggregator(config);

  Flood(aggregator, "statsd:10.0.0.9:4000", 1'000, kT0);
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 100);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap), 900u);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap, "statsd"), 900u);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap, "push"), 0u);
  EXPECT_EQ(stats.dropped_for(DropReason::kGlobalCap), 0u);

  // The same sender again, within the interval: its allowance is spent.
  Flood(aggregator, "statsd:10.0.0.9:4000", 1'000, kT0 + 5'000);
  EXPECT_EQ(aggregator.stats().active_series, 100);
  EXPECT_EQ(aggregator.stats().dropped_for(DropReason::kSourceCap, "statsd"), 1'800u);

  // Another sender of the same kind has its own allowance.
  Flood(aggregator, "statsd:10.0.0.10:4000", 50, kT0 + 5'000);
  EXPECT_EQ(aggregator.stats().active_series, 150);

  // Every interval the runaway sender gets another allowance: a large but
  // legitimate sender is only slowed down, never shut out.
  aggregator.Flush(kT0 + kInterval);
  Flood(aggregator, "statsd:10.0.0.9:4000", 1'000, kT0 + kInterval);
  stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 250);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap, "statsd"), 1'800u + 800u);
}

TEST(FairCapsTest, ANewJobOfAnotherSourceGetsInWhileTheFloodContinues) {
  AggregatorConfig config = TestConfig();
  config.max_series = 1'000;
  config.reserved_series_fraction = 0.2;  // 800 open to any sender, 200 reserved
  config.max_new_series_per_source = 300;
  config.expire_after_intervals = 100;
  Aggregator aggregator(config);
  const std::string flood = "push:job@base64/Zmxvb2Q";

  // The runaway sender fills the open room at its allowance per interval:
  // 300, 600, then up to 800 series in all (the reserve is closed to it
  // from then on: it holds more than its allowance).
  for (int i = 0; i < 4; ++i) {
    const int64_t start = kT0 + i * kInterval;
    Flood(aggregator, flood, 10'000, start);
    // A job that was there before the flood keeps reporting.
    Send(aggregator, Series("known", "push:job/known/instance/tm-1", 0, start + 1));
    aggregator.Flush(start + kInterval);
  }
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 800);  // 799 of the flood + the known job's
  EXPECT_GT(stats.dropped_for(DropReason::kSourceCap, "push"), 0u);
  EXPECT_GT(stats.dropped_for(DropReason::kGlobalCap, "push"), 0u);

  // While the flood goes on, a new job of 40 series from another sender is
  // admitted in the very interval it first reports in.
  const int64_t start = kT0 + 4 * kInterval;
  Flood(aggregator, flood, 10'000, start);
  for (int n = 0; n < 40; ++n) {
    Send(aggregator, Series("newcomer", "push:job/newcomer/instance/tm-7", n, start + 2));
  }
  Flood(aggregator, flood, 10'000, start + 3);
  Send(aggregator, Series("known", "push:job/known/instance/tm-1", 0, start + 4));
  stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 840);
  auto batches = aggregator.Flush(start + kInterval);
  const v1::MetricBatch* newcomer = FindBatch(batches, "newcomer", start);
  ASSERT_NE(newcomer, nullptr);
  EXPECT_EQ(newcomer->series_size(), 40);
  EXPECT_NE(FindBatch(batches, "known", start), nullptr);  // still none of it dropped
  EXPECT_EQ(aggregator.stats().active_sources, 3);
}

TEST(FairCapsTest, WithoutAReserveTheFloodLocksOutNewJobs) {
  AggregatorConfig config = TestConfig();
  config.max_series = 1'000;
  config.reserved_series_fraction = 0;
  config.max_new_series_per_source = 500;
  Aggregator aggregator(config);
  Flood(aggregator, "influx:10.1.1.1", 10'000, kT0);
  aggregator.Flush(kT0 + kInterval);
  Flood(aggregator, "influx:10.1.1.1", 10'000, kT0 + kInterval);
  ASSERT_EQ(aggregator.stats().active_series, 1'000);
  Send(aggregator, Series("newcomer", "influx:10.2.2.2", 0, kT0 + kInterval + 1));
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 1'000);
  // The second round's surplus beyond the cap, and the newcomer.
  EXPECT_EQ(stats.dropped_for(DropReason::kGlobalCap, "influx"), 9'000u + 1u);
}

TEST(FairCapsTest, TheBooksEmptyAfterExpiry) {
  AggregatorConfig config = TestConfig();
  config.max_new_series_per_source = 1'000;
  config.expire_after_intervals = 1;
  Aggregator aggregator(config);
  Flood(aggregator, "scrape:10.0.0.1:9249", 600, kT0);
  Send(aggregator, Series("other", "scrape:10.0.0.2:9249", 0, kT0));
  EXPECT_EQ(aggregator.stats().active_sources, 2);
  aggregator.Flush(kT0 + kInterval);
  // Silent for the expiry span: every series and every sender forgotten.
  aggregator.Flush(kT0 + 3 * kInterval);
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 0);
  EXPECT_EQ(stats.series_expired, 601u);
  EXPECT_EQ(stats.active_sources, 0);
  // The sender comes back with a full allowance.
  Flood(aggregator, "scrape:10.0.0.1:9249", 1'200, kT0 + 3 * kInterval);
  stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 1'000);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap, "scrape"), 200u);
}

TEST(FairCapsTest, HeldSeriesAndJobCapComeFirst) {
  AggregatorConfig config = TestConfig();
  config.max_new_series_per_source = 5;
  config.max_series_per_job = 3;
  Aggregator aggregator(config);
  for (int n = 0; n < 10; ++n) Send(aggregator, Series("orders", "push:a", n, kT0));
  AggregatorStats stats = aggregator.stats();
  EXPECT_EQ(stats.active_series, 3);
  EXPECT_EQ(stats.dropped_for(DropReason::kJobCap, "push"), 7u);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap), 0u);
  // Held series keep folding whatever the sender's allowance.
  for (int round = 0; round < 3; ++round) {
    for (int n = 0; n < 3; ++n) Send(aggregator, Series("orders", "push:a", n, kT0 + 1 + round));
  }
  stats = aggregator.stats();
  EXPECT_EQ(stats.samples_folded, 12u);
  EXPECT_EQ(stats.dropped_for(DropReason::kSourceCap), 0u);
}

TEST(FairCapsTest, ReloadChangesTheAllowance) {
  AggregatorConfig config = TestConfig();
  config.max_new_series_per_source = 10;
  Aggregator aggregator(config);
  Flood(aggregator, "statsd:1.2.3.4:5", 20, kT0);
  EXPECT_EQ(aggregator.stats().active_series, 10);
  config.max_new_series_per_source = 15;
  ASSERT_TRUE(aggregator.Reload(config).ok());
  Flood(aggregator, "statsd:1.2.3.4:5", 20, kT0 + 1);
  EXPECT_EQ(aggregator.stats().active_series, 15);
}

TEST(SourceLedgerTest, AdmitsCountsAndForgets) {
  SourceLedger ledger;
  EXPECT_EQ(ledger.Admit("a", kT0, 2, false), SourceLedger::Verdict::kAdmit);
  EXPECT_EQ(ledger.Admit("a", kT0, 2, false), SourceLedger::Verdict::kAdmit);
  EXPECT_EQ(ledger.Admit("a", kT0, 2, false), SourceLedger::Verdict::kSourceCap);
  // An older interval counts against the newest.
  EXPECT_EQ(ledger.Admit("a", kT0 - kInterval, 2, false), SourceLedger::Verdict::kSourceCap);
  // Next interval: a new allowance, but in the reserve a large sender is refused.
  EXPECT_EQ(ledger.Admit("a", kT0 + kInterval, 2, true), SourceLedger::Verdict::kReserved);
  EXPECT_EQ(ledger.Admit("b", kT0 + kInterval, 2, true), SourceLedger::Verdict::kAdmit);
  EXPECT_EQ(ledger.held("a"), 2);
  ledger.Unadmit("b", kT0 + kInterval);
  EXPECT_EQ(ledger.held("b"), 0);
  EXPECT_EQ(ledger.Admit("b", kT0 + kInterval, 1, false), SourceLedger::Verdict::kAdmit);
  ledger.Release("a", 2);
  ledger.Release("b", 1);
  EXPECT_EQ(ledger.size(), 2);
  ledger.Sweep(kT0 + kInterval);  // both asked in the open interval: kept
  EXPECT_EQ(ledger.size(), 2);
  ledger.Sweep(kT0 + 2 * kInterval);
  EXPECT_EQ(ledger.size(), 0);
}

}  // namespace
}  // namespace vitals::gateway
