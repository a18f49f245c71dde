// Aggregator throughput: samples folded per second on one core, and
// flush + protobuf serialization of the closed interval.

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "bench/gateway/aggregate/source_fleet.h"
#include "benchmark/benchmark.h"
#include "gateway/aggregate/aggregator.h"

namespace vitals::gateway {
namespace {

using bench::Fleet;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;

AggregatorConfig BenchConfig() {
  AggregatorConfig config;
  config.gateway = "node-1";
  config.cluster = "k8s-bench";
  return config;
}

// Every series reports several times per interval: the pure hot path (one
// key build, one hash lookup, one store per sample).
void BM_FoldRepeatedSeries(benchmark::State& state) {
  Fleet fleet(state.range(0));
  Aggregator aggregator(BenchConfig());
  int64_t i = 0;
  for (auto& s : fleet.samples) {  // create every slot outside the timing
    s.timestamp_ms = kT0;
    aggregator.OnFlinkSample(s);
  }
  for (auto _ : state) {
    for (auto& s : fleet.samples) {
      s.value = static_cast<double>(++i);
      s.timestamp_ms = kT0 + (i & 4095);
      aggregator.OnFlinkSample(s);
    }
  }
  state.SetItemsProcessed(state.iterations() * fleet.samples.size());
  state.counters["series"] = static_cast<double>(fleet.samples.size());
}
BENCHMARK(BM_FoldRepeatedSeries)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

// The peer measured in the same run: the naive aggregation gateway (the
// shape of prom-aggregation-gateway): build the series key string from the
// labels and sum into a hash map, with no counter handling, no folding
// rules and no caps. RESULTS.md reports the fold as a ratio of this.
const std::string& NaiveKey(const FlinkSample& s, std::string& key) {
  key.clear();
  key.append(s.job_name).push_back('|');
  key.append(s.metric);
  for (const LabelView& l : s.labels) {
    key.push_back('|');
    key.append(l.name).push_back('=');
    key.append(l.value);
  }
  return key;
}

void BM_Peer_NaiveKeyedSum(benchmark::State& state) {
  Fleet fleet(state.range(0));
  absl::flat_hash_map<std::string, double> sums;
  std::string key;
  int64_t i = 0;
  for (auto _ : state) {
    for (const auto& s : fleet.samples) sums[NaiveKey(s, key)] += static_cast<double>(++i);
  }
  benchmark::DoNotOptimize(sums.size());
  state.SetItemsProcessed(state.iterations() * fleet.samples.size());
}
BENCHMARK(BM_Peer_NaiveKeyedSum)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

// The worst case for the fold's layout: the series arrive in a new random
// order every round, so neither the table's creation order nor its trace
// of earlier lookups helps. Shuffling scatters the input too, so every
// sample costs random memory accesses in both the fold and the peer, which
// runs on the same shuffled input. Real senders repeat their order; this
// bounds what happens when they do not.
void BM_FoldReshuffledSeries(benchmark::State& state) {
  Fleet fleet(state.range(0));
  Aggregator aggregator(BenchConfig());
  std::mt19937_64 rng(42);
  int64_t i = 0;
  for (auto& s : fleet.samples) {
    s.timestamp_ms = kT0;
    aggregator.OnFlinkSample(s);
  }
  for (auto _ : state) {
    state.PauseTiming();
    std::shuffle(fleet.samples.begin(), fleet.samples.end(), rng);
    state.ResumeTiming();
    for (auto& s : fleet.samples) {
      s.value = static_cast<double>(++i);
      s.timestamp_ms = kT0 + (i & 4095);
      aggregator.OnFlinkSample(s);
    }
  }
  state.SetItemsProcessed(state.iterations() * fleet.samples.size());
}
BENCHMARK(BM_FoldReshuffledSeries)->Arg(200)->Unit(benchmark::kMillisecond);

void BM_Peer_NaiveKeyedSumReshuffled(benchmark::State& state) {
  Fleet fleet(state.range(0));
  absl::flat_hash_map<std::string, double> sums;
  std::mt19937_64 rng(42);
  std::string key;
  int64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::shuffle(fleet.samples.begin(), fleet.samples.end(), rng);
    state.ResumeTiming();
    for (const auto& s : fleet.samples) sums[NaiveKey(s, key)] += static_cast<double>(++i);
  }
  benchmark::DoNotOptimize(sums.size());
  state.SetItemsProcessed(state.iterations() * fleet.samples.size());
}
BENCHMARK(BM_Peer_NaiveKeyedSumReshuffled)->Arg(200)->Unit(benchmark::kMillisecond);

// Every series reports once per interval, as Flink's reporters do. The
// second argument is how far closing lags: 0 is the gateway's own pattern
// (each boundary replays the pushed groups into the interval, then closes
// it, so a sample only sets its series' pending value and the close folds
// it: see BM_FlushAndSerialize); 1 keeps the previous interval open, so
// each sample also folds its series' previous value into the aggregate, as
// for samples that arrive after a boundary and before its close. The
// closes themselves are not timed.
void BM_FoldOncePerInterval(benchmark::State& state) {
  Fleet fleet(state.range(0));
  const int64_t close_lag = state.range(1);
  Aggregator aggregator(BenchConfig());
  int64_t interval = 0;
  for (auto _ : state) {
    const int64_t start = kT0 + interval * kInterval;
    for (auto& s : fleet.samples) {
      s.value = static_cast<double>(interval * 100);
      s.timestamp_ms = start + 1'000;
      aggregator.OnFlinkSample(s);
    }
    state.PauseTiming();
    benchmark::DoNotOptimize(aggregator.Flush(start + (1 - close_lag) * kInterval));
    ++interval;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * fleet.samples.size());
  state.counters["series"] = static_cast<double>(fleet.samples.size());
}
BENCHMARK(BM_FoldOncePerInterval)
    ->ArgNames({"jobs", "close_lag"})
    ->ArgsProduct({{10, 200}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

// Closing an interval: fold the pending values, build one MetricBatch per
// job and serialize it as the Kafka sink would.
void BM_FlushAndSerialize(benchmark::State& state) {
  Fleet fleet(state.range(0));
  Aggregator aggregator(BenchConfig());
  int64_t interval = 0;
  size_t batches = 0;
  size_t series = 0;
  size_t bytes = 0;
  std::string wire;
  for (auto _ : state) {
    state.PauseTiming();
    const int64_t start = kT0 + interval * kInterval;
    for (auto& s : fleet.samples) {
      s.value = static_cast<double>(interval * 100 + 1);
      s.timestamp_ms = start + 1'000;
      aggregator.OnFlinkSample(s);
    }
    ++interval;
    state.ResumeTiming();
    for (const v1::MetricBatch& batch : aggregator.Flush(start + kInterval)) {
      batch.SerializeToString(&wire);
      ++batches;
      series += batch.series_size();
      bytes += wire.size();
    }
  }
  state.counters["batches/s"] = benchmark::Counter(batches, benchmark::Counter::kIsRate);
  state.counters["aggregates/s"] = benchmark::Counter(series, benchmark::Counter::kIsRate);
  state.counters["bytes/batch"] = batches ? static_cast<double>(bytes) / batches : 0;
  state.counters["samples/interval"] = static_cast<double>(fleet.samples.size());
}
BENCHMARK(BM_FlushAndSerialize)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals::gateway
