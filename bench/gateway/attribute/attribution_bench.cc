// What process attribution costs on the push path: the replay of Flink-
// shaped push bodies (40 jobs × (1 JobManager + 4 TaskManagers),
// parallelism 20, Flink's reporter defaults) through the parser and the
// normalizer, with the attribution stage in between and, as the peer in the
// same run, without it (the path before process attribution: a sample
// handed straight on). Reports samples/s (items).

#include <cstddef>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/receivers/promtext/normalizer.h"
#include "gateway/receivers/promtext/parser.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"

namespace vitals::gateway {
namespace {

// Reads what the aggregator reads of each sample.
class CountingSink : public FlinkSampleSink {
 public:
  void OnFlinkSample(const FlinkSample& s) override {
    ++samples;
    bytes += s.metric.size() + s.job_name.size() + s.labels.size();
    sum += s.value;
  }
  size_t samples = 0;
  size_t bytes = 0;
  double sum = 0;
};

const std::vector<sim::Push>& Pushes() {
  static const std::vector<sim::Push> pushes = [] {
    sim::FleetSpec spec;
    spec.jobs = 40;
    spec.task_managers = 4;
    spec.parallelism = 20;
    spec.nodes = 1;
    auto fleet = sim::Fleet::Create(spec);
    fleet->AdvanceTo(spec.start_ms + 60'000);
    std::vector<sim::Push> out;
    sim::RenderPushes(*fleet, &out);
    return out;
  }();
  return pushes;
}

void Replay(benchmark::State& state, bool attribute) {
  const std::vector<sim::Push>& pushes = Pushes();
  PromTextParser parser(TextFormat::kPrometheus004);
  CountingSink sink;
  ProcessJobTable table(ProcessJobTable::Options{});
  ProcessAttributor attributor(&table, &sink);
  PromNormalizer normalizer(attribute ? static_cast<FlinkSampleSink*>(&attributor) : &sink);
  int64_t now_ms = 1'700'000'000'000;
  size_t before = 0;
  for (auto _ : state) {
    now_ms += 10'000;
    for (const sim::Push& push : pushes) {
      if (attribute) attributor.Begin();
      normalizer.Reset(push.path, now_ms);
      if (!parser.Parse(push.body, normalizer).ok()) state.SkipWithError("bad body");
      if (attribute) attributor.Finish(now_ms);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(sink.samples - before));
  benchmark::DoNotOptimize(sink.sum);
  state.counters["pushes"] = static_cast<double>(pushes.size());
}

void BM_ReplayWithAttribution(benchmark::State& state) { Replay(state, true); }
void BM_ReplayPeerWithoutAttribution(benchmark::State& state) { Replay(state, false); }

BENCHMARK(BM_ReplayWithAttribution)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReplayPeerWithoutAttribution)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals::gateway
