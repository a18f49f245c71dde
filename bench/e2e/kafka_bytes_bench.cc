// Kafka bytes on the wire per job-interval for a 200-pod fleet (40 jobs ×
// (1 JobManager + 4 TaskManagers), parallelism 20, 10 nodes), measured as
// librdkafka's own `tx_bytes` (every byte its producers wrote to the
// brokers: record batches, protocol framing, metadata) against the embedded
// Kafka, two ways in the same run:
//   - Vitals: one gateway per node (the push path: parser, normalizer,
//     process attribution, aggregator) and one producer per gateway with the
//     gateway's producer settings (zstd, linger 20 ms, idempotent), each
//     job's interval as the gateway encodes it (BatchEncoder);
//   - the peer: every pod its own producer sending one message per sample,
//     as Telegraf's Kafka output or a per-pod producer would (keyless, the
//     sample as one InfluxDB line: what Flink's InfluxdbReporter writes),
//     with librdkafka's defaults (no compression, Telegraf's default too)
//     and, as a second peer, with zstd.
// Steady state only: the first interval (connections, metadata, counter
// baselines) is sent before the measurement starts. VITALS_KAFKA_BYTES_INTERVALS
// and VITALS_KAFKA_BYTES_PODS shorten the run (the ctest smoke run). Each interval is
// flushed before the next, as a reporter's 10 s period separates them.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/receivers/promtext/normalizer.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/sinks/batch_encoder.h"
#include "sim/fleet.h"
#include "sim/influx.h"
#include "sim/pushgateway.h"

namespace vitals {
namespace {

constexpr int kJobs = 40;
constexpr int kNodes = 10;
constexpr int kPartitions = 12;
constexpr int64_t kIntervalMs = 10'000;
constexpr int64_t kStartMs = 1'700'000'000'000;  // a multiple of the interval

int EnvInt(const char* name, int fallback) {
  const char* env = std::getenv(name);
  int n = 0;
  return env != nullptr && absl::SimpleAtoi(env, &n) && n > 0 ? n : fallback;
}

// Intervals measured (default 6: one minute of reports) and, for the
// peer, pods measured (default all); the ctest smoke run sets both small.
int MeasuredIntervals() {
  static const int n = EnvInt("VITALS_KAFKA_BYTES_INTERVALS", 6);
  return n;
}
size_t MeasuredPods(size_t pods) {
  return std::min(pods, static_cast<size_t>(EnvInt("VITALS_KAFKA_BYTES_PODS", 1 << 30)));
}

sim::FleetSpec Spec() {
  sim::FleetSpec spec;
  spec.jobs = kJobs;
  spec.task_managers = 4;
  spec.parallelism = 20;
  spec.nodes = kNodes;
  spec.start_ms = kStartMs;
  return spec;
}

// The fleet's reports for intervals 0..MeasuredIntervals(), rendered once.
struct Reports {
  // [interval][node]: the pushes of the node's processes.
  std::vector<std::vector<std::vector<sim::Push>>> pushes;
  // [interval]: one write per process, in the same order every interval.
  std::vector<std::vector<sim::InfluxWrite>> influx;
};

const Reports& FleetReports() {
  static const Reports reports = [] {
    Reports r;
    auto fleet = sim::Fleet::Create(Spec());
    for (int k = 0; k <= MeasuredIntervals(); ++k) {
      fleet->AdvanceTo(kStartMs + (k + 1) * kIntervalMs - kIntervalMs / 2);
      auto& by_node = r.pushes.emplace_back(kNodes);
      for (int n = 0; n < kNodes; ++n) sim::RenderPushes(*fleet, &by_node[n], n);
      sim::RenderInflux(*fleet, &r.influx.emplace_back());
    }
    return r;
  }();
  return reports;
}

int64_t TxBytes(std::string_view statistics) {
  // Top-level "tx_bytes" (the first: brokers' figures are "txbytes").
  const size_t at = statistics.find("\"tx_bytes\":");
  if (at == std::string_view::npos) return -1;
  std::string_view rest = statistics.substr(at + 11);
  rest = rest.substr(0, rest.find_first_of(",}"));
  int64_t n = -1;
  return absl::SimpleAtoi(absl::string_view(rest.data(), rest.size()), &n) ? n : -1;
}

// The bytes sent so far, from a statistics report taken after them:
// librdkafka reports every 100 ms here, served by Poll.
int64_t SettledTxBytes(kafka::KafkaProducer& producer) {
  for (int i = 0; i < 12; ++i) producer.Poll(absl::Milliseconds(25));
  return TxBytes(producer.LatestStatistics());
}

struct Cluster {
  std::unique_ptr<kafka::EmbeddedCluster> kafka;
  std::string bootstrap;
};

Cluster& SharedCluster() {
  static Cluster cluster = [] {
    Cluster c;
    auto started = kafka::EmbeddedCluster::Start(1);
    if (!started.ok()) return c;
    c.kafka = std::move(*started);
    c.bootstrap = c.kafka->bootstrap_servers();
    (void)c.kafka->CreateTopic("flink.metrics", kPartitions);
    (void)c.kafka->CreateTopic("flink.samples", kPartitions);
    return c;
  }();
  return cluster;
}

std::unique_ptr<kafka::KafkaProducer> NewProducer(kafka::Properties properties) {
  properties["bootstrap.servers"] = SharedCluster().bootstrap;
  properties["statistics.interval.ms"] = "100";
  auto producer = kafka::KafkaProducer::Create(properties, [](const kafka::DeliveryReport&) {});
  return producer.ok() ? std::move(*producer) : nullptr;
}

// One gateway: its pipeline and its producer.
struct Gateway {
  explicit Gateway(const gateway::AggregatorConfig& config)
      : aggregator(config),
        table(gateway::ProcessJobTable::Options{}),
        attributor(&table, &aggregator),
        normalizer(&attributor) {}
  gateway::Aggregator aggregator;
  gateway::ProcessJobTable table;
  gateway::ProcessAttributor attributor;
  gateway::PromNormalizer normalizer;
  gateway::PromTextParser parser{gateway::TextFormat::kPrometheus004};
  std::unique_ptr<kafka::KafkaProducer> producer;
};

void BM_VitalsGatewayBytes(benchmark::State& state) {
  const Reports& reports = FleetReports();
  if (!SharedCluster().kafka) return state.SkipWithError("embedded Kafka did not start");
  gateway::AggregatorConfig config;
  config.interval = absl::Milliseconds(kIntervalMs);
  int64_t bytes = 0;
  int64_t messages = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Gateway>> gateways;
    for (int n = 0; n < kNodes; ++n) {
      config.gateway = absl::StrCat("node-", n);
      config.cluster = "k8s-bench";
      auto& g = gateways.emplace_back(std::make_unique<Gateway>(config));
      g->producer = NewProducer({{"enable.idempotence", "true"},
                                 {"acks", "all"},
                                 {"compression.type", "zstd"},
                                 {"linger.ms", "20"}});
      if (!g->producer) return state.SkipWithError("producer");
    }
    std::vector<int64_t> baseline(kNodes, 0);
    for (int k = 0; k <= MeasuredIntervals(); ++k) {
      const int64_t at_ms = kStartMs + k * kIntervalMs + kIntervalMs / 2;
      for (int n = 0; n < kNodes; ++n) {
        Gateway& g = *gateways[n];
        for (const sim::Push& push : reports.pushes[k][n]) {
          g.attributor.Begin();
          g.normalizer.Reset(absl::StrCat("push:", push.path), at_ms);
          if (!g.parser.Parse(push.body, g.normalizer).ok()) return state.SkipWithError("body");
          g.attributor.Finish(at_ms);
        }
        for (const v1::MetricBatch& batch : g.aggregator.Flush(kStartMs + (k + 1) * kIntervalMs)) {
          for (const gateway::EncodedMessage& m : gateway::EncodeBatch(batch, 1'000'000)) {
            if (k > 0) ++messages;
            (void)g.producer->Produce("flink.metrics", m.key, m.value, 0);
          }
        }
        (void)g.producer->Flush(absl::Seconds(30));
        if (k == 0) baseline[n] = SettledTxBytes(*g.producer);
      }
    }
    for (int n = 0; n < kNodes; ++n) bytes += SettledTxBytes(*gateways[n]->producer) - baseline[n];
  }
  const double job_intervals = static_cast<double>(kJobs) * MeasuredIntervals();
  state.counters["bytes_per_job_interval"] = static_cast<double>(bytes) / job_intervals;
  state.counters["messages_per_job_interval"] = static_cast<double>(messages) / job_intervals;
  state.counters["producers"] = kNodes;
}

// One producer per pod, one message per sample line.
void PerPod(benchmark::State& state, const char* compression) {
  const Reports& reports = FleetReports();
  if (!SharedCluster().kafka) return state.SkipWithError("embedded Kafka did not start");
  const size_t all_pods = reports.influx[0].size();
  const size_t pods = MeasuredPods(all_pods);
  // A few pods at a time: each producer is a librdkafka instance with its
  // own threads and connection.
  constexpr size_t kConcurrent = 20;
  int64_t bytes = 0;
  int64_t messages = 0;
  for (auto _ : state) {
    for (size_t first = 0; first < pods; first += kConcurrent) {
      const size_t last = std::min(pods, first + kConcurrent);
      std::vector<std::unique_ptr<kafka::KafkaProducer>> producers;
      std::vector<int64_t> baseline;
      for (size_t p = first; p < last; ++p) {
        producers.push_back(NewProducer({{"compression.type", compression}}));
        if (!producers.back()) return state.SkipWithError("producer");
      }
      for (int k = 0; k <= MeasuredIntervals(); ++k) {
        for (size_t p = first; p < last; ++p) {
          kafka::KafkaProducer& producer = *producers[p - first];
          for (absl::string_view line : absl::StrSplit(reports.influx[k][p].body, '\n')) {
            if (line.empty()) continue;
            if (k > 0) ++messages;
            while (
                producer.Produce("flink.samples", {}, std::string_view(line.data(), line.size()), 0)
                    .code() == absl::StatusCode::kResourceExhausted) {
              producer.Poll(absl::Milliseconds(10));
            }
          }
        }
        for (auto& producer : producers) (void)producer->Flush(absl::Seconds(30));
        if (k == 0) {
          for (auto& producer : producers) baseline.push_back(SettledTxBytes(*producer));
        }
      }
      for (size_t i = 0; i < producers.size(); ++i) {
        bytes += SettledTxBytes(*producers[i]) - baseline[i];
      }
    }
  }
  // Per job-interval of the whole fleet when only some pods were measured.
  const double scale = static_cast<double>(all_pods) / static_cast<double>(pods);
  const double job_intervals = static_cast<double>(kJobs) * MeasuredIntervals();
  state.counters["bytes_per_job_interval"] = scale * static_cast<double>(bytes) / job_intervals;
  state.counters["messages_per_job_interval"] =
      scale * static_cast<double>(messages) / job_intervals;
  state.counters["producers"] = static_cast<double>(pods);
}

void BM_PeerPerPodProducerBytes(benchmark::State& state) { PerPod(state, "none"); }
void BM_PeerPerPodProducerZstdBytes(benchmark::State& state) { PerPod(state, "zstd"); }

BENCHMARK(BM_VitalsGatewayBytes)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeerPerPodProducerBytes)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PeerPerPodProducerZstdBytes)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals
