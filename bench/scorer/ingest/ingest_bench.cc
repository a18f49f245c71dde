// Job evaluations per second per core, counting what the scorer does for
// each: decode both gateways' `flink.metrics` records of an interval, merge
// them, close the interval and grade it (7 dimensions, combine, diagnose,
// the report copied out as the registry does). The job is the model
// benchmark's: 5 operators at parallelism 8 on 4 TaskManagers behind 2
// gateways, 10 s intervals, 5 min window.
//
// Two ways in, same merge and evaluation, measured in the same run:
// - Protobuf: MetricBatch::ParseFromArray onto an arena, then
//   JobScorer::Add — the full protobuf decode the scorer used to do;
// - Records: JobScorer::AddSerialized, the scorer's own decoder.
// Each loop is CPU-timed as a whole (the figure is CPU time per
// evaluation, items/s = evaluations/s); the records are built before the
// loop and only their interval start is rewritten in place.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/scorer/interval_records.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/arena.h"
#include "scorer/model/job_scorer.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using bench::FaultyJob;
using bench::IntervalRecords;
using bench::kT0;
using testing::SyntheticJob;

enum class Way { kProtobuf, kRecords };

bool Ingest(JobScorer& scorer, const std::string& record, Way way) {
  if (way == Way::kRecords) return scorer.AddSerialized(record);
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 * 1024;
  options.max_block_size = 64 * 1024;
  google::protobuf::Arena arena(options);
  auto* batch = google::protobuf::Arena::CreateMessage<v1::MetricBatch>(&arena);
  if (!batch->ParseFromArray(record.data(), static_cast<int>(record.size()))) return false;
  return scorer.Add(*batch);
}

// One iteration: one interval of the job's life, one evaluation.
void JobEvaluation(benchmark::State& state, const SyntheticJob& job, Way way) {
  ScoringConfig config;
  JobScorer scorer(&config);
  IntervalRecords records(job);
  int64_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (const std::string& record : records.At(i, start)) {
      if (!Ingest(scorer, record, way)) state.SkipWithError("batch refused");
      bytes += record.size();
    }
    auto report = scorer.Evaluate(start + job.interval_ms + 5'000);
    if (!report) state.SkipWithError("no report");
    benchmark::DoNotOptimize(report);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_JobEvaluation_Protobuf(benchmark::State& state) {
  JobEvaluation(state, SyntheticJob(), Way::kProtobuf);
}
void BM_JobEvaluation_Records(benchmark::State& state) {
  JobEvaluation(state, SyntheticJob(), Way::kRecords);
}
void BM_FaultyJobEvaluation_Protobuf(benchmark::State& state) {
  JobEvaluation(state, FaultyJob(), Way::kProtobuf);
}
void BM_FaultyJobEvaluation_Records(benchmark::State& state) {
  JobEvaluation(state, FaultyJob(), Way::kRecords);
}
BENCHMARK(BM_JobEvaluation_Protobuf);
BENCHMARK(BM_JobEvaluation_Records);
BENCHMARK(BM_FaultyJobEvaluation_Protobuf);
BENCHMARK(BM_FaultyJobEvaluation_Records);

// Decoding alone, both records of an interval: protobuf onto an arena, as
// above, against the scorer's decoder (every series read, none merged).
void BM_Decode_Protobuf(benchmark::State& state) {
  IntervalRecords records{SyntheticJob()};
  int64_t i = 0;
  for (auto _ : state) {
    for (const std::string& record : records.At(i, kT0)) {
      google::protobuf::Arena arena;
      auto* batch = google::protobuf::Arena::CreateMessage<v1::MetricBatch>(&arena);
      if (!batch->ParseFromArray(record.data(), static_cast<int>(record.size()))) {
        state.SkipWithError("refused");
      }
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode_Protobuf);

#if __has_include("scorer/window/batch_decoder.h")  // not in builds before it
void BM_Decode_BatchDecoder(benchmark::State& state) {
  IntervalRecords records{SyntheticJob()};
  BatchDecoder decoder;
  int64_t i = 0;
  for (auto _ : state) {
    for (const std::string& record : records.At(i, kT0)) {
      if (!decoder.Decode(record)) state.SkipWithError("refused");
      benchmark::DoNotOptimize(decoder.series().data());
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode_BatchDecoder);
#endif

}  // namespace
}  // namespace vitals::scorer
