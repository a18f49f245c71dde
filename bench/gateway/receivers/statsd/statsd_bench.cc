// Throughput of the StatsD line parser and the Flink scope parser on what
// Flink's StatsDReporter sends: one gauge per datagram, default scope
// formats, dotted hosts, a realistic mix of scopes and metrics.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "gateway/receivers/statsd/parser.h"
#include "gateway/receivers/statsd/scope_format.h"

namespace vitals::gateway {
namespace {

// One reporting interval of a small job: 2 TMs × 4 subtasks.
std::vector<std::string> FlinkIdentifiers() {
  const std::string hosts[] = {"ip-10-0-0-1.ec2.internal", "10.244.1.7"};
  const std::string tms[] = {"container_e05_1600000000000_0001_01_000002",
                             "orders-etl-taskmanager-1-3"};
  const std::string job = "orders-etl";
  std::vector<std::string> ids;
  for (int t = 0; t < 2; ++t) {
    const std::string tm = absl::StrCat(hosts[t], ".taskmanager.", tms[t]);
    for (const char* m : {"Status.JVM.CPU.Load", "Status.JVM.Memory.Heap.Used",
                          "Status.JVM.GarbageCollector.G1_Young_Generation.Time"}) {
      ids.push_back(absl::StrCat(tm, ".", m));
    }
    for (int subtask = 0; subtask < 4; ++subtask) {
      const std::string idx = std::to_string(subtask);
      const std::string task = absl::StrCat(tm, ".", job, ".Source- Kafka -> Map.", idx, ".");
      for (const char* m :
           {"busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond",
            "numRecordsInPerSecond.rate", "Shuffle.Netty.Output.Buffers.outPoolUsage"}) {
        ids.push_back(absl::StrCat(task, m));
      }
      const std::string op = absl::StrCat(tm, ".", job, ".Source- Kafka.", idx, ".");
      for (const char* m :
           {"numRecordsOutPerSecond.rate", "numRecordsOut", "currentEmitEventTimeLag",
            "KafkaSourceReader.KafkaConsumer.records-lag-max", "myCounter"}) {
        ids.push_back(absl::StrCat(op, m));
      }
    }
  }
  const std::string jm = absl::StrCat(hosts[0], ".jobmanager");
  for (const char* m : {"numRegisteredTaskManagers", "Status.JVM.CPU.Load"}) {
    ids.push_back(absl::StrCat(jm, ".", m));
  }
  for (const char* m : {"numRestarts", "lastCheckpointDuration", "numberOfCompletedCheckpoints"}) {
    ids.push_back(absl::StrCat(jm, ".", job, ".", m));
  }
  return ids;
}

std::vector<std::string> FlinkLines() {
  std::vector<std::string> lines;
  int i = 0;
  for (const std::string& id : FlinkIdentifiers()) {
    lines.push_back(id + ":" + std::to_string(1234.5 + i++) + "|g");
  }
  return lines;
}

class CountingSink : public StatsdSink {
 public:
  void OnMetric(const StatsdMetric& m) override { sum += m.value + m.tags.size(); }
  void OnReject(size_t, std::string_view) override { ++rejects; }
  double sum = 0;
  int rejects = 0;
};

void BM_StatsdFlinkDatagrams(benchmark::State& state) {
  const std::vector<std::string> lines = FlinkLines();
  size_t bytes = 0;
  for (const auto& l : lines) bytes += l.size();
  StatsdParser parser;
  CountingSink sink;
  for (auto _ : state) {
    for (const std::string& l : lines) parser.Parse(l, sink);  // one datagram each, as Flink sends
    benchmark::DoNotOptimize(sink.sum);
  }
  if (sink.rejects != 0) state.SkipWithError("unexpected rejects");
  state.SetItemsProcessed(state.iterations() * lines.size());
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_StatsdFlinkDatagrams);

void BM_StatsdPackedDatagram(benchmark::State& state) {
  // ~1400-byte datagrams (a typical MTU), as a batching client sends.
  std::vector<std::string> datagrams(1);
  size_t lines = 0;
  for (const std::string& l : FlinkLines()) {
    if (datagrams.back().size() + l.size() > 1400) datagrams.emplace_back();
    datagrams.back() += l + "\n";
    ++lines;
  }
  size_t bytes = 0;
  for (const auto& d : datagrams) bytes += d.size();
  StatsdParser parser;
  CountingSink sink;
  for (auto _ : state) {
    for (const std::string& d : datagrams) parser.Parse(d, sink);
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations() * lines);
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_StatsdPackedDatagram);

void BM_StatsdDogStatsdTags(benchmark::State& state) {
  const std::string line =
      "kafka.consumer.lag:42|g|@0.5|#env:prod,region:eu-west-1,service:orders,"
      "team:platform,version:1.19.1|c:3a88c225dbeb98f20bbb40cbd39ef90b|T1656581400";
  StatsdParser parser;
  CountingSink sink;
  for (auto _ : state) {
    parser.Parse(line, sink);
    benchmark::DoNotOptimize(sink.sum);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK(BM_StatsdDogStatsdTags);

void BM_ScopeParseDefaultFormats(benchmark::State& state) {
  const std::vector<std::string> ids = FlinkIdentifiers();
  size_t bytes = 0;
  for (const auto& id : ids) bytes += id.size();
  const ScopeParser parser = *ScopeParser::Create();
  size_t errors = 0;
  for (auto _ : state) {
    for (const std::string& id : ids) {
      auto m = parser.Parse(id);
      errors += !m.ok();
      benchmark::DoNotOptimize(m);
    }
  }
  if (errors != 0) state.SkipWithError("unexpected parse errors");
  state.SetItemsProcessed(state.iterations() * ids.size());
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_ScopeParseDefaultFormats);

void BM_ScopeParseKnownJobs(benchmark::State& state) {
  // A dotted job name: resolvable only through the known-job callback.
  std::vector<std::string> ids;
  for (std::string id : FlinkIdentifiers()) {
    const size_t pos = id.find(".orders-etl.");
    if (pos != std::string::npos) id.replace(pos, 12, ".etl.orders.v2.");
    ids.push_back(id);
  }
  const auto known = [](std::string_view job) { return job == "etl.orders.v2"; };
  const ScopeParser parser = *ScopeParser::Create();
  size_t errors = 0;
  for (auto _ : state) {
    for (const std::string& id : ids) {
      auto m = parser.Parse(id, known);
      errors += !m.ok();
      benchmark::DoNotOptimize(m);
    }
  }
  state.counters["errors_per_iteration"] = static_cast<double>(errors) / state.iterations();
  state.SetItemsProcessed(state.iterations() * ids.size());
}
BENCHMARK(BM_ScopeParseKnownJobs);

}  // namespace
}  // namespace vitals::gateway
