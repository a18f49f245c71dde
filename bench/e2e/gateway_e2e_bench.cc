// End to end: the simulator pushes a Flink fleet (PrometheusPushGatewayReporter
// traffic, one push per JobManager/TaskManager process per round) as fast as
// one client can, over HTTP on loopback, to
//   - a `vitals gateway` process: parse, normalize, aggregate, publish to the
//     embedded Kafka;
//   - the peer, Debian's prometheus-pushgateway: parse and store.
// Both are separate processes; their CPU time comes from /proc, so the
// figures are what the server spent, not the client.
//
// Counters: samples/s (wall, client-bound), CPU seconds per million samples,
// resident bytes per held series (RSS growth over the run / series held),
// and the same for the peak (VmHWM over the RSS before the run: what a
// memory limit must allow, transients of a close included).
// VITALS_E2E_ROUNDS sets the measured rounds (default 20).

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/http/server.h"
#include "common/kafka/embedded_cluster.h"
#include "sim/driver/driver.h"
#include "sim/fleet.h"
#include "test/integration/support/gateway_process.h"

namespace vitals {
namespace {

constexpr const char* kPushgateway = "/usr/bin/prometheus-pushgateway";

int Rounds() {
  const char* env = std::getenv("VITALS_E2E_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 20;
}

// utime + stime of `pid`, in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name; utime and stime are the
  // 14th and 15th fields of the line.
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A /proc/<pid>/status size field in bytes: VmRSS (resident now) or VmHWM
// (the most ever resident).
double StatusBytes(pid_t pid, std::string_view field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field)) return std::atof(line.c_str() + field.size()) * 1024;
  }
  return 0;
}

double RssBytes(pid_t pid) { return StatusBytes(pid, "VmRSS:"); }

sim::Fleet MakeFleet(int jobs) {
  sim::FleetSpec spec;
  spec.jobs = jobs;
  spec.task_managers = 4;
  spec.nodes = 1;
  spec.clusters = {"k8s-bench"};
  spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
  return std::move(*sim::Fleet::Create(spec));
}

struct Load {
  double samples = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  double rss_growth = 0;
  double peak_rss_growth = 0;  // the most resident at any time, over rss before
  bool ok = true;
  std::string error;
};

// One warm-up round (the server learns every series), then `rounds`
// measured rounds, a simulated 10 s apart. `settle` runs before the CPU
// time is read, so that work the server defers (the gateway folds pushed
// groups when an interval closes) is counted.
Load Drive(const std::string& url, pid_t server, int jobs, int rounds,
           const std::function<void()>& settle) {
  Load load;
  sim::Fleet fleet = MakeFleet(jobs);
  sim::DriverOptions options;
  options.gateway_urls = {url};
  auto driver = sim::SimulationDriver::Create(&fleet, options);
  if (!driver.ok()) return {.ok = false, .error = std::string(driver.status().message())};
  int64_t now = absl::ToUnixMillis(absl::Now());
  const double rss_before = RssBytes(server);
  (*driver)->Round(now);
  const double cpu_before = CpuSeconds(server);
  const absl::Time start = absl::Now();
  for (int i = 0; i < rounds; ++i) {
    now += 10'000;
    const sim::RoundStats stats = (*driver)->Round(now);
    if (stats.failed > 0) return {.ok = false, .error = stats.first_error};
    load.samples += static_cast<double>(stats.samples);
  }
  load.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  settle();
  load.cpu_seconds = CpuSeconds(server) - cpu_before;
  load.rss_growth = RssBytes(server) - rss_before;
  load.peak_rss_growth = StatusBytes(server, "VmHWM:") - rss_before;
  return load;
}

void Report(benchmark::State& state, const Load& load, double series) {
  state.SetIterationTime(load.seconds);
  state.counters["samples_per_s"] = load.samples / load.seconds;
  state.counters["cpu_s_per_M_samples"] = load.cpu_seconds / (load.samples / 1e6);
  state.counters["series"] = series;
  state.counters["rss_bytes_per_series"] = series > 0 ? load.rss_growth / series : 0;
  state.counters["peak_rss_bytes_per_series"] = series > 0 ? load.peak_rss_growth / series : 0;
}

void BM_VitalsGateway(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  auto cluster = kafka::EmbeddedCluster::Start(1);
  if (!cluster.ok() || !(*cluster)->CreateTopic("flink.metrics", 3).ok()) {
    state.SkipWithError("no embedded Kafka");
    return;
  }
  setenv("VITALS_BINARY", VITALS_BINARY_PATH, 0);
  auto gateway = testing::GatewayProcess::Start(absl::StrCat("gateway:\n"
                                                             "  listen: 127.0.0.1:0\n"
                                                             "  statsd:\n"
                                                             "    enabled: false\n"
                                                             "  kafka:\n"
                                                             "    properties:\n"
                                                             "      bootstrap.servers: ",
                                                             (*cluster)->bootstrap_servers(), "\n"),
                                                absl::Seconds(20));
  if (!gateway.ok()) {
    state.SkipWithError(std::string(gateway.status().message()).c_str());
    return;
  }
  const auto metric = [&](std::string_view name) {
    auto metrics = (*gateway)->Metrics();
    return metrics.ok() ? testing::SampleSum(*metrics, name) : -1;
  };
  // Until the interval after the last push has closed: its fold is part of
  // the cost of those samples.
  const auto settle = [&] {
    const double flushed = metric("vitals_gateway_intervals_flushed_total");
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline &&
           metric("vitals_gateway_intervals_flushed_total") < flushed + 2) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  };
  for (auto _ : state) {
    const Load load = Drive((*gateway)->url(), (*gateway)->child().pid(), jobs, Rounds(), settle);
    if (!load.ok) {
      state.SkipWithError(load.error.c_str());
      break;
    }
    Report(state, load, metric("vitals_gateway_active_series"));
  }
  (*gateway)->child().Terminate(absl::Seconds(30));
}

void BM_PeerPushgateway(benchmark::State& state) {
  const int jobs = static_cast<int>(state.range(0));
  if (!std::filesystem::exists(kPushgateway)) {
    state.SkipWithError("prometheus-pushgateway not installed (scripts/setup installs it)");
    return;
  }
  // A free port: bind 0, read it back, release it for the peer.
  int port = 0;
  {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    http::Server probe(options);
    if (!probe.Start().ok()) return;
    port = probe.port();
    (void)probe.Shutdown(absl::InfiniteFuture());
  }
  // No persistence: Debian's default file would carry groups over from
  // earlier runs (and be written outside the build tree).
  testing::ChildProcess peer({kPushgateway, absl::StrCat("--web.listen-address=127.0.0.1:", port),
                              "--persistence.file=", "--log.level=warn"});
  if (!peer.Start()) {
    state.SkipWithError("cannot start prometheus-pushgateway");
    return;
  }
  const std::string url = absl::StrCat("http://127.0.0.1:", port);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    auto ready = http::Fetch("GET", url + "/-/ready");
    if (ready.ok() && ready->status == 200) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (auto _ : state) {
    const Load load = Drive(url, peer.pid(), jobs, Rounds(), [] {});
    if (!load.ok) {
      state.SkipWithError(load.error.c_str());
      break;
    }
    // The Pushgateway holds every pushed series as it is.
    Report(state, load, load.samples / Rounds());
  }
  peer.Terminate(absl::Seconds(10));
}

// Jobs of 1 JobManager + 4 TaskManagers each: 40 jobs are 200 pods. The
// Pushgateway checks every push against every group it holds, so its cost
// grows with the fleet; larger fleets would keep it busy for many minutes.
BENCHMARK(BM_PeerPushgateway)
    ->Arg(10)
    ->Arg(40)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VitalsGateway)
    ->Arg(10)
    ->Arg(40)
    ->Arg(200)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals
