// GET /metrics of the gateway's PrometheusView: rendering the aggregated
// series of a fleet, done on each scrape.
//
// Peer, in the same run: prometheus-cpp's TextSerializer writing the same
// series (same names, labels and values, as gauge families) from its
// MetricFamily structures, built before timing: what a process that keeps
// its series in prometheus-cpp's form spends on a scrape.

#include <map>
#include <string>
#include <vector>

#include "bench/gateway/aggregate/source_fleet.h"
#include "benchmark/benchmark.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/sinks/prometheus_view.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace vitals::gateway {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;

// One closed interval of the fleet, as the gateway hands it to the view.
std::vector<v1::MetricBatch> ClosedInterval(int jobs) {
  bench::Fleet fleet(jobs);
  AggregatorConfig config;
  config.gateway = "node-1";
  config.cluster = "k8s-bench";
  Aggregator aggregator(config);
  for (auto& s : fleet.samples) {
    s.value = 1;
    s.timestamp_ms = kT0 + 1'000;
    aggregator.OnFlinkSample(s);
  }
  return aggregator.Flush(kT0 + kInterval);
}

void BM_PrometheusViewScrape(benchmark::State& state) {
  const std::vector<v1::MetricBatch> batches = ClosedInterval(static_cast<int>(state.range(0)));
  PrometheusView view;
  view.Update(batches);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string body;
    view.RenderTo(&body);
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  size_t series = 0;
  for (const auto& batch : batches) series += batch.series_size();
  state.counters["series"] = static_cast<double>(series);
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["series/s"] = benchmark::Counter(static_cast<double>(series) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PrometheusViewScrape)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

void BM_Peer_PrometheusCppSerialize(benchmark::State& state) {
  const std::vector<v1::MetricBatch> batches = ClosedInterval(static_cast<int>(state.range(0)));
  std::map<std::string, prometheus::MetricFamily> by_name;
  size_t series = 0;
  for (const v1::MetricBatch& batch : batches) {
    for (const v1::SeriesAggregate& s : batch.series()) {
      prometheus::MetricFamily& family = by_name["flink_" + s.metric()];
      family.name = "flink_" + s.metric();
      family.help = "aggregated by job";
      family.type = prometheus::MetricType::Gauge;
      prometheus::ClientMetric& metric = family.metric.emplace_back();
      metric.label = {{"job_name", batch.job_name()},
                      {"job_id", batch.job_id()},
                      {"cluster", batch.cluster()},
                      {"gateway", batch.gateway()}};
      for (const auto& [name, value] : s.labels()) metric.label.push_back({name, value});
      metric.gauge.value = s.max();
      ++series;
    }
  }
  std::vector<prometheus::MetricFamily> families;
  for (auto& [name, family] : by_name) families.push_back(std::move(family));
  const prometheus::TextSerializer serializer;
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string body = serializer.Serialize(families);
    bytes = body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.counters["series"] = static_cast<double>(series);
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["series/s"] = benchmark::Counter(static_cast<double>(series) * state.iterations(),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Peer_PrometheusCppSerialize)->Arg(10)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals::gateway
