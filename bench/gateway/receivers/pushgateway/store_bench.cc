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

#include "bench/two_hundred_pods.h"
#include "benchmark/benchmark.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/pushgateway/push_group_store.h"

namespace vitals::gateway {
namespace {

const std::vector<std::string>& Bodies() {
  static const std::vector<std::string> bodies = [] {
    std::vector<std::string> out;
    for (sim::Push& p : bench::TwoHundredPodPushes()) out.push_back(std::move(p.body));
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
