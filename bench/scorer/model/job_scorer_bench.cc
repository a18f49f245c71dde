// Job evaluations per second for a realistic job: 5 operators at
// parallelism 8 on 4 TaskManagers behind 2 gateways, 10 s intervals, 5 min
// window (30 intervals in it). One iteration is one interval of the job's
// life: both gateways' batches merged, the interval closed, every dimension
// updated and graded, the report with its diagnosis built.

#include <chrono>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "scorer/model/job_scorer.h"
#include "scorer/model/rollback.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::MakeInterval;
using testing::SyntheticJob;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int kDistinctIntervals = 64;

// The wire bytes of each gateway's batch, as the scorer consumes them.
std::vector<std::vector<std::string>> Intervals(const SyntheticJob& job) {
  std::vector<std::vector<std::string>> out;
  for (int i = 0; i < kDistinctIntervals; ++i) {
    std::vector<std::string>& wire = out.emplace_back();
    for (const v1::MetricBatch& b : MakeInterval(job, kT0 + i * job.interval_ms)) {
      wire.push_back(b.SerializeAsString());
    }
  }
  return out;
}

// The `flink.metrics` record of each gateway for interval `i`.
std::vector<std::string> Records(std::vector<std::vector<std::string>>& intervals, int64_t i,
                                 int64_t start) {
  std::vector<std::string> out;
  for (const std::string& wire : intervals[i % kDistinctIntervals]) {
    // Field 3 (interval_start_ms) appended: the last occurrence wins.
    v1::MetricBatch header;
    header.set_interval_start_ms(start);
    out.push_back(wire + header.SerializeAsString());
  }
  return out;
}

enum class Timed { kEverything, kIngest, kEvaluate };

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One interval of the job's life: each gateway's record decoded and merged
// (ingest), then the interval closed, every dimension updated and graded,
// the report and its diagnosis built and the interval freed (evaluate).
void Run(benchmark::State& state, const SyntheticJob& job, Timed timed) {
  ScoringConfig config;
  JobScorer scorer(&config);
  std::vector<std::vector<std::string>> intervals = Intervals(job);
  int64_t i = 0;
  for (auto _ : state) {
    const int64_t start = kT0 + i * job.interval_ms;
    const std::vector<std::string> records = Records(intervals, i, start);
    const double t0 = Seconds();
    for (const std::string& record : records) scorer.AddSerialized(record);
    const double t1 = Seconds();
    auto report = scorer.Evaluate(start + job.interval_ms + 5'000);
    benchmark::DoNotOptimize(report);
    const double t2 = Seconds();
    state.SetIterationTime(timed == Timed::kIngest     ? t1 - t0
                           : timed == Timed::kEvaluate ? t2 - t1
                                                       : t2 - t0);
    ++i;
  }
}

SyntheticJob Faulty() {
  SyntheticJob job;
  job.checkpoint_failed_share = 0.6;
  job.backpressure = 0.7;
  job.backpressured_tasks = 2;
  job.skew_factor = 4;
  job.pending_records = 500'000;
  return job;
}

SyntheticJob Legacy() {
  SyntheticJob job;
  job.naming = testing::FlinkNaming::k112;
  return job;
}

void BM_Evaluate(benchmark::State& state) { Run(state, SyntheticJob(), Timed::kEvaluate); }
void BM_EvaluateFaulty(benchmark::State& state) { Run(state, Faulty(), Timed::kEvaluate); }
void BM_EvaluateLegacyNaming(benchmark::State& state) { Run(state, Legacy(), Timed::kEvaluate); }
void BM_Ingest(benchmark::State& state) { Run(state, SyntheticJob(), Timed::kIngest); }
void BM_IngestAndEvaluate(benchmark::State& state) {
  Run(state, SyntheticJob(), Timed::kEverything);
}
BENCHMARK(BM_Evaluate)->UseManualTime();
BENCHMARK(BM_EvaluateFaulty)->UseManualTime();
BENCHMARK(BM_EvaluateLegacyNaming)->UseManualTime();
BENCHMARK(BM_Ingest)->UseManualTime();
BENCHMARK(BM_IngestAndEvaluate)->UseManualTime();

// Decoding alone on an arena, the part of ingest that is protobuf's.
void BM_DecodeOnly(benchmark::State& state) {
  const std::vector<std::vector<std::string>> intervals = Intervals(SyntheticJob());
  int64_t i = 0;
  for (auto _ : state) {
    for (const std::string& wire : intervals[i % kDistinctIntervals]) {
      google::protobuf::Arena arena;
      auto* batch = google::protobuf::Arena::CreateMessage<v1::MetricBatch>(&arena);
      batch->ParseFromString(wire);
      benchmark::DoNotOptimize(batch);
    }
    ++i;
  }
}
BENCHMARK(BM_DecodeOnly);

void BM_RollbackVerdict(benchmark::State& state) {
  // Two hours of history, the migration in the middle.
  std::deque<v1::HistoryPoint> history;
  for (int i = 0; i < 720; ++i) {
    v1::HistoryPoint& p = history.emplace_back();
    p.set_at_ms(kT0 + i * 10'000);
    p.set_cluster(i < 360 ? "yarn-prod-1" : "k8s-prod-eu");
    p.set_score(i < 360 ? 8.7 : 8.5);
    for (const char* d :
         {"latency", "checkpoint", "restarts", "gc", "cpu", "backpressure", "skew"}) {
      (*p.mutable_dimensions())[d] = 9;
    }
  }
  v1::Migration m;
  m.set_from("yarn-prod-1");
  m.set_to("k8s-prod-eu");
  m.set_at(kT0 + 360 * 10'000);
  ScoringConfig config;
  for (auto _ : state) {
    benchmark::DoNotOptimize(DecideRollback(history, m, config, kT0 + 720 * 10'000));
  }
}
BENCHMARK(BM_RollbackVerdict);

}  // namespace
}  // namespace vitals::scorer
