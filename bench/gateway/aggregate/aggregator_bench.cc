// Aggregator throughput: samples folded per second on one core, and
// flush + protobuf serialization of the closed interval.

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "benchmark/benchmark.h"
#include "gateway/aggregate/aggregator.h"

namespace vitals::gateway {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;

// A Flink fleet's source series with the labels Flink's PrometheusReporter
// attaches (10 per operator series), held so that the views stay valid.
class Fleet {
 public:
  explicit Fleet(int jobs, int operators = 5, int parallelism = 20) {
    for (int j = 0; j < jobs; ++j) {
      const std::string& job = Keep("streaming-job-" + std::to_string(j));
      const std::string& job_id = Keep(Hex(j, 32));
      for (int subtask = 0; subtask < parallelism; ++subtask) {
        const std::string& host =
            Keep("10.0." + std::to_string(j % 250) + "." + std::to_string(subtask));
        const std::string& tm =
            Keep("flink-taskmanager-" + std::to_string(j) + "-" + std::to_string(subtask / 4));
        const std::string& index = Keep(std::to_string(subtask));
        const std::string& source = Keep("push/" + tm + "/" + Hex(subtask, 32));
        for (int op = 0; op <= operators; ++op) {
          const bool task = op == operators;  // one task-scope group per subtask
          const std::string& name =
              Keep(task ? "Source: Kafka -> Map" : "Operator " + std::to_string(op));
          auto& labels = label_sets_.emplace_back();
          labels = {{"host", host},
                    {"operator_id", Keep(Hex(op * 977 + j, 32))},
                    {"operator_name", name},
                    {"subtask_index", index},
                    {"task_attempt_id", Keep(Hex(subtask * 31 + j, 32))},
                    {"task_attempt_num", "0"},
                    {"task_id", Keep(Hex(j * 7, 32))},
                    {"task_name", "Source: Kafka -> Map"},
                    {"tm_id", tm}};
          if (task) labels.erase(labels.begin() + 1, labels.begin() + 3);
          const auto metrics =
              task ? std::vector<std::string_view>{"busyTimeMsPerSecond", "idleTimeMsPerSecond",
                                                   "backPressuredTimeMsPerSecond"}
                   : std::vector<std::string_view>{
                         "numRecordsIn", "numRecordsOut", "numRecordsInPerSecond",
                         "numRecordsOutPerSecond", "currentEmitEventTimeLag"};
          for (std::string_view metric : metrics) {
            FlinkSample s;
            s.scope =
                task ? v1::SCOPE_TASKMANAGER_JOB_TASK : v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
            s.metric = metric;
            s.job_id = job_id;
            s.job_name = job;
            s.labels = labels;
            s.source = source;
            samples.push_back(s);
          }
        }
      }
    }
  }

  std::vector<FlinkSample> samples;

 private:
  const std::string& Keep(std::string s) { return strings_.emplace_back(std::move(s)); }
  static std::string Hex(int seed, int length) {
    std::string out;
    uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (int i = 0; i < length; ++i) {
      out.push_back("0123456789abcdef"[x & 15]);
      x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    return out;
  }

  std::deque<std::string> strings_;
  std::deque<std::vector<LabelView>> label_sets_;
};

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
