// Job evaluations per second for a realistic job: 5 operators at
// parallelism 8 on 4 TaskManagers behind 2 gateways, 10 s intervals, 5 min
// window (30 intervals in it). One iteration is one interval of the job's
// life: both gateways' batches merged, the interval closed, every dimension
// updated and graded, the report with its diagnosis built.

#include <chrono>
#include <string>
#include <vector>

#include "bench/scorer/interval_records.h"
#include "benchmark/benchmark.h"
#include "scorer/model/job_scorer.h"
#include "scorer/model/rollback.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using bench::FaultyJob;
using bench::IntervalRecords;
using bench::kT0;
using testing::SyntheticJob;

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
  IntervalRecords intervals(job);
  int64_t i = 0;
  for (auto _ : state) {
    const int64_t start = kT0 + i * job.interval_ms;
    const std::vector<std::string>& records = intervals.At(i, start);
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

SyntheticJob Legacy() {
  SyntheticJob job;
  job.naming = testing::FlinkNaming::k112;
  return job;
}

void BM_Evaluate(benchmark::State& state) { Run(state, SyntheticJob(), Timed::kEvaluate); }
void BM_EvaluateFaulty(benchmark::State& state) { Run(state, FaultyJob(), Timed::kEvaluate); }
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
  IntervalRecords intervals{SyntheticJob()};
  int64_t i = 0;
  for (auto _ : state) {
    for (const std::string& wire : intervals.At(i, kT0)) {
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
