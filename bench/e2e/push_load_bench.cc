// Push load: several keep-alive connections PUT the pushes of a Flink fleet
// (PrometheusPushGatewayReporter traffic of Flink 1.15, 40 jobs of 1
// JobManager + 4 TaskManagers, parallelism 20) as fast as the server answers, to
//   - a `vitals gateway` process (parse, normalize, hold the group; the
//     interval's fold and publish to the embedded Kafka count as well);
//   - the peer, Debian's prometheus-pushgateway, in the same run.
// The client is a minimal one of raw sockets with every request rendered
// in advance, so that the 2-core machine's CPU goes to the servers, and it
// is what wrk would do: write a request, read the answer, repeat.
//
// Counters: pushes/s and samples/s (wall), server CPU ms per push (from
// /proc/<pid>/stat), answers other than 200 (must be 0).
// VITALS_PUSH_LOAD_SECONDS sets the measured time per run (default 10).

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/two_hundred_pods.h"
#include "common/http/client.h"
#include "common/http/server.h"
#include "common/kafka/embedded_cluster.h"
#include "sim/pushgateway.h"
#include "test/integration/support/gateway_process.h"

namespace vitals {
namespace {

constexpr const char* kPushgateway = "/usr/bin/prometheus-pushgateway";

absl::Duration MeasuredTime() {
  const char* env = std::getenv("VITALS_PUSH_LOAD_SECONDS");
  double seconds = 10;
  if (env != nullptr && absl::SimpleAtod(env, &seconds) && seconds > 0) {
    return absl::Seconds(seconds);
  }
  return absl::Seconds(10);
}

double CpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Every push of the fleet as the bytes of one HTTP/1.1 request.
struct Requests {
  std::vector<std::string> wire;
  double samples_per_push = 0;
  double body_bytes_per_push = 0;
};

Requests RenderRequests() {
  sim::RenderStats stats;
  const std::vector<sim::Push> pushes = bench::TwoHundredPodPushes(&stats);
  Requests out;
  double bytes = 0;
  for (const sim::Push& p : pushes) {
    out.wire.push_back(absl::StrCat(
        p.method, " ", p.path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ", p.content_type,
        "\r\nContent-Length: ", p.body.size(), "\r\n\r\n", p.body));
    bytes += static_cast<double>(p.body.size());
  }
  out.samples_per_push = static_cast<double>(stats.samples) / static_cast<double>(pushes.size());
  out.body_bytes_per_push = bytes / static_cast<double>(pushes.size());
  return out;
}

// One keep-alive connection: writes a request, reads its answer (headers,
// then Content-Length bytes), returns the status; 0 on a broken connection.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
    const int one = 1;
    if (fd_ >= 0) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  int Exchange(const std::string& request) {
    if (fd_ < 0) return 0;
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return 0;
      sent += static_cast<size_t>(n);
    }
    in_.clear();
    size_t header_end = std::string::npos;
    while ((header_end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!Read()) return 0;
    }
    const size_t length_at = in_.find("Content-Length: ");
    size_t length = 0;
    if (length_at != std::string::npos && length_at < header_end) {
      length = std::strtoul(in_.c_str() + length_at + 16, nullptr, 10);
    }
    while (in_.size() < header_end + 4 + length) {
      if (!Read()) return 0;
    }
    return in_.size() > 12 ? std::atoi(in_.c_str() + 9) : 0;
  }

 private:
  bool Read() {
    char buffer[16 << 10];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return false;
    in_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string in_;
};

struct LoadResult {
  double pushes = 0;
  double seconds = 0;
  double cpu_seconds = 0;
  double refused = 0;
};

// `connections` clients, each cycling through its share of `requests`
// for `time`, against the server at `port` whose process is `pid`.
LoadResult Drive(const Requests& requests, uint16_t port, pid_t pid, int connections,
                 absl::Duration time) {
  // Warm-up: every group pushed once, so the run measures steady state.
  {
    RawConnection warm(port);
    for (const std::string& r : requests.wire) warm.Exchange(r);
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> ok{0}, refused{0};
  const double cpu_before = CpuSeconds(pid);
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      RawConnection conn(port);
      int64_t mine_ok = 0, mine_refused = 0;
      for (size_t i = static_cast<size_t>(c); !stop.load(std::memory_order_relaxed);
           i = (i + static_cast<size_t>(connections)) % requests.wire.size()) {
        (conn.Exchange(requests.wire[i]) == 200 ? mine_ok : mine_refused)++;
      }
      ok += mine_ok;
      refused += mine_refused;
    });
  }
  absl::SleepFor(time);
  stop = true;
  for (std::thread& t : threads) t.join();
  LoadResult result;
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  result.cpu_seconds = CpuSeconds(pid) - cpu_before;
  result.pushes = static_cast<double>(ok.load());
  result.refused = static_cast<double>(refused.load());
  return result;
}

void Report(benchmark::State& state, const Requests& requests, const LoadResult& load) {
  state.SetIterationTime(load.seconds);
  state.counters["pushes_per_s"] = load.pushes / load.seconds;
  state.counters["samples_per_s"] = load.pushes * requests.samples_per_push / load.seconds;
  state.counters["server_cpu_ms_per_push"] =
      load.pushes > 0 ? 1000 * load.cpu_seconds / load.pushes : 0;
  state.counters["body_kB"] = requests.body_bytes_per_push / 1000;
  state.counters["not_200"] = load.refused;
}

void BM_VitalsGatewayPushes(benchmark::State& state) {
  const int connections = static_cast<int>(state.range(0));
  const Requests requests = RenderRequests();
  auto cluster = kafka::EmbeddedCluster::Start(1);
  if (!cluster.ok() || !(*cluster)->CreateTopic("flink.metrics", 3).ok()) {
    state.SkipWithError("no embedded Kafka");
    return;
  }
  setenv("VITALS_BINARY", VITALS_BINARY_PATH, 0);
  auto gateway = testing::GatewayProcess::Start(
      absl::StrCat("gateway:\n  listen: 127.0.0.1:0\n  statsd:\n    enabled: false\n"
                   "  kafka:\n    properties:\n      bootstrap.servers: ",
                   (*cluster)->bootstrap_servers(), "\n"),
      absl::Seconds(20));
  if (!gateway.ok()) {
    state.SkipWithError(std::string(gateway.status().message()).c_str());
    return;
  }
  const std::string url = (*gateway)->url();
  const uint16_t port = static_cast<uint16_t>(std::atoi(url.c_str() + url.rfind(':') + 1));
  for (auto _ : state) {
    Report(state, requests,
           Drive(requests, port, (*gateway)->child().pid(), connections, MeasuredTime()));
  }
  (*gateway)->child().Terminate(absl::Seconds(30));
}

void BM_PeerPushgatewayPushes(benchmark::State& state) {
  const int connections = static_cast<int>(state.range(0));
  if (!std::filesystem::exists(kPushgateway)) {
    state.SkipWithError("prometheus-pushgateway not installed (scripts/setup installs it)");
    return;
  }
  const Requests requests = RenderRequests();
  int port = 0;
  {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    http::Server probe(options);
    if (!probe.Start().ok()) return;
    port = probe.port();
    (void)probe.Shutdown(absl::InfiniteFuture());
  }
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
    Report(state, requests,
           Drive(requests, static_cast<uint16_t>(port), peer.pid(), connections, MeasuredTime()));
  }
  peer.Terminate(absl::Seconds(10));
}

BENCHMARK(BM_PeerPushgatewayPushes)
    ->Arg(4)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_VitalsGatewayPushes)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals
