// What a push costs the Pushgateway receiver beyond parsing, and what it
// holds: SplitFamilies (validate, split the body into family blocks and
// keep them) on the pushes of a 200-pod fleet, as the simulator renders
// Flink's PrometheusPushGatewayReporter traffic.
//
// Peer, in the same run: the text parser alone over the same bodies,
// delivering every sample to a sink that does nothing (validation without
// keeping anything).
//
// Counters: pushes/s, held bytes per pushed byte.

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/pushgateway/push_group_store.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"

namespace vitals::gateway {
namespace {

const std::vector<std::string>& Bodies() {
  static const std::vector<std::string> bodies = [] {
    sim::FleetSpec spec;
    spec.jobs = 40;
    spec.task_managers = 4;
    spec.parallelism = 20;
    spec.version = sim::FlinkVersion::k1_17;
    spec.nodes = 1;
    spec.clusters = {"k8s-bench"};
    spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
    sim::Fleet fleet = std::move(*sim::Fleet::Create(spec));
    fleet.AdvanceTo(spec.start_ms + 600'000);
    std::vector<sim::Push> pushes;
    sim::RenderPushes(fleet, &pushes);
    std::vector<std::string> out;
    for (sim::Push& p : pushes) out.push_back(std::move(p.body));
    return out;
  }();
  return bodies;
}

void BM_SplitFamilies(benchmark::State& state) {
  const std::vector<std::string>& bodies = Bodies();
  size_t i = 0;
  double body_bytes = 0;
  double held_bytes = 0;
  for (auto _ : state) {
    const std::string& body = bodies[i++ % bodies.size()];
    size_t samples = 0;
    absl::StatusOr<FamilyBlocks> blocks =
        SplitFamilies(body, TextFormat::kPrometheus004, PromTextLimits(), &samples);
    if (!blocks.ok()) {
      state.SkipWithError("a body did not parse");
      return;
    }
    body_bytes += static_cast<double>(body.size());
    held_bytes += static_cast<double>(blocks->held_bytes());
  }
  state.counters["pushes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["held_per_body_byte"] = body_bytes > 0 ? held_bytes / body_bytes : 0;
  state.counters["body_kB"] = body_bytes / static_cast<double>(state.iterations()) / 1e3;
}
BENCHMARK(BM_SplitFamilies);

void BM_Peer_ParseOnly(benchmark::State& state) {
  struct Discard : SampleSink {
    void OnSample(const SampleView& /*sample*/) override {}
  } discard;
  const std::vector<std::string>& bodies = Bodies();
  size_t i = 0;
  for (auto _ : state) {
    PromTextParser parser(TextFormat::kPrometheus004, PromTextLimits());
    if (!parser.Parse(bodies[i++ % bodies.size()], discard).ok()) {
      state.SkipWithError("a body did not parse");
      return;
    }
  }
  state.counters["pushes/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Peer_ParseOnly);

}  // namespace
}  // namespace vitals::gateway
