// The StatsD receiver over loopback UDP with a sender in the same run.
//
// The sender thread replays pre-rendered StatsDReporter traffic of a Flink
// fleet (the simulator: 40 jobs × (1 JobManager + 4 TaskManagers),
// parallelism 20, Flink 1.17 naming), each Flink process from a socket of
// its own as Flink's reporter does, so the receiver sees 200 sender
// addresses. Two datagram shapes: `packed` (lines packed into datagrams of
// up to 1432 bytes, the simulator's default) and `single` (one line per
// datagram, what Flink's StatsDReporter itself sends).
//
// Receivers, in the same run:
//   - peer: a minimal reader, one blocking recvfrom per datagram, that only
//     counts the datagram's lines (memchr), on a socket with the same
//     SO_RCVBUF: what the kernel costs, with no parsing at all;
//   - the real StatsdReceiver (parser → normalizer → process attribution →
//     the real Aggregator), reading `receive_batch` datagrams per recvmmsg
//     call; `receive_batch: 1` is the baseline of one recvmsg per datagram.
//
// Three loads: a fixed rate (lines/s, arg `rate`) for loss; full speed
// (`rate` 0), as fast as one sending thread goes; and bursts (`rate` -1):
// 2000 datagrams sent into the paused receiver's socket, then drained, over
// and over, so the receiver works through full batches and its CPU per line
// is its capacity (at rate 0 the sender, which on loopback also pays the
// kernel's delivery, is the slower side on 2 cores). Receiver CPU is the
// on-CPU time of its thread(s) (/proc/self/task/<tid>/schedstat), so the
// sender's share of the 2-core machine does not count; on loopback the
// sender's system call also does the kernel's delivery into the receiving
// socket, so that part is the sender's.
//
// Counters: lines_per_cpu_s (lines handled per second of receiver CPU: the
// per-core throughput), recv_cpu (receiver CPU / wall), sent_lines_per_s,
// lost_lines (sent − read), kernel_drops (datagrams the socket dropped for
// a full buffer), lines_per_datagram.
// VITALS_STATSD_BENCH_SECONDS sets the send time per case (default 5).

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/clock.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/statsd/receiver.h"
#include "prometheus/registry.h"
#include "sim/fleet.h"
#include "sim/statsd.h"

namespace vitals::gateway {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SendSeconds() {
  const char* env = std::getenv("VITALS_STATSD_BENCH_SECONDS");
  double seconds = 5;
  if (env != nullptr && absl::SimpleAtod(env, &seconds) && seconds > 0) return seconds;
  return 5;
}

constexpr int kReports = 3;

// Pre-rendered datagrams of several reports (values change between them).
struct Traffic {
  struct Datagram {
    std::string payload;
    size_t sender = 0;  // index of the sending socket
    size_t lines = 0;
  };
  std::vector<Datagram> datagrams;
  size_t senders = 0;
  size_t lines = 0;
  size_t identifiers = 0;  // distinct, over all reports
};

const Traffic& TrafficOf(bool packed) {
  static const Traffic* traffic[2] = {nullptr, nullptr};
  if (traffic[packed] != nullptr) return *traffic[packed];
  sim::FleetSpec spec;
  spec.jobs = 40;
  spec.task_managers = 4;
  spec.parallelism = 20;
  spec.nodes = 1;
  spec.reporter.statsd_max_datagram_bytes = packed ? 1432 : 0;
  sim::Fleet fleet = std::move(*sim::Fleet::Create(spec));
  auto* out = new Traffic;
  std::unordered_map<uint64_t, size_t> senders;
  std::vector<sim::StatsdDatagram> rendered;
  for (int report = 1; report <= kReports; ++report) {
    fleet.AdvanceTo(spec.start_ms + report * 10'000);
    sim::RenderStatsd(fleet, &rendered);
    for (sim::StatsdDatagram& d : rendered) {
      Traffic::Datagram& t = out->datagrams.emplace_back();
      t.sender = senders.try_emplace(d.process_uid, senders.size()).first->second;
      t.lines = static_cast<size_t>(std::count(d.payload.begin(), d.payload.end(), '\n')) + 1;
      t.payload = std::move(d.payload);
      out->lines += t.lines;
    }
  }
  out->senders = senders.size();
  std::unordered_set<std::string_view> identifiers;
  for (const Traffic::Datagram& d : out->datagrams) {
    std::string_view rest = d.payload;
    while (!rest.empty()) {
      const std::string_view line = rest.substr(0, rest.find('\n'));
      identifiers.insert(line.substr(0, line.find(':')));
      rest.remove_prefix(std::min(rest.size(), line.size() + 1));
    }
  }
  out->identifiers = identifiers.size();
  traffic[packed] = out;
  return *out;
}

pid_t Tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

std::set<pid_t> Threads() {
  std::set<pid_t> tids;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return tids;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') tids.insert(std::atoi(e->d_name));
  }
  closedir(dir);
  return tids;
}

// On-CPU nanoseconds of one of this process's threads.
uint64_t ThreadCpuNs(pid_t tid) {
  std::ifstream in(absl::StrCat("/proc/self/task/", tid, "/schedstat"));
  uint64_t ns = 0;
  in >> ns;
  return ns;
}

uint64_t ThreadsCpuNs(const std::set<pid_t>& tids) {
  uint64_t ns = 0;
  for (pid_t tid : tids) ns += ThreadCpuNs(tid);
  return ns;
}

int UdpSocket() { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// One connected socket per Flink process, kept for the whole case (the
// receiver sees the same 200 senders throughout); Send continues the
// traffic where the last call stopped.
struct SendResult {
  uint64_t datagrams = 0;
  uint64_t lines = 0;
  uint64_t errors = 0;
  double seconds = 0;
};

class Sender {
 public:
  Sender(const Traffic& traffic, uint16_t port) : traffic_(traffic), fds_(traffic.senders) {
    const sockaddr_in to = Loopback(port);
    for (int& fd : fds_) {
      fd = UdpSocket();
      const sockaddr_in local = Loopback(0);
      if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0 ||
          connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
        ok_ = false;
      }
    }
  }
  ~Sender() {
    for (int fd : fds_) close(fd);
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Every socket bound and connected.
  bool ok() const { return ok_; }

  // Sends round after round at `rate` lines/s (0: as fast as it can) until
  // `seconds` pass or `max_datagrams` (0: no limit) are sent.
  SendResult Send(double rate, double seconds, size_t max_datagrams = 0) {
    // A send call carries consecutive datagrams of one sender, at most this
    // many lines (fine enough pacing: ~0.1 ms at 500 k lines/s).
    constexpr size_t kMaxLinesPerCall = 64;
    constexpr size_t kMaxDatagramsPerCall = 64;
    std::array<mmsghdr, kMaxDatagramsPerCall> msgs{};
    std::array<iovec, kMaxDatagramsPerCall> iov{};
    SendResult result;
    const auto start = SteadyClock::now();
    const auto end = start + std::chrono::duration_cast<SteadyClock::duration>(
                                 std::chrono::duration<double>(seconds));
    const size_t n = traffic_.datagrams.size();
    while (true) {
      auto now = SteadyClock::now();
      if (now >= end || (max_datagrams > 0 && result.datagrams >= max_datagrams)) break;
      if (rate > 0) {
        const auto due = start + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double>(result.lines / rate));
        if (due > now) {
          // Sleep, not spin: the receiver needs the other core.
          std::this_thread::sleep_until(due);
          continue;
        }
      }
      // Gather one call's datagrams.
      const size_t sender = traffic_.datagrams[next_].sender;
      size_t count = 0;
      size_t lines = 0;
      while (count < kMaxDatagramsPerCall &&
             (max_datagrams == 0 || result.datagrams + count < max_datagrams)) {
        const Traffic::Datagram& d = traffic_.datagrams[(next_ + count) % n];
        if (d.sender != sender || (count > 0 && lines + d.lines > kMaxLinesPerCall)) break;
        iov[count] = {const_cast<char*>(d.payload.data()), d.payload.size()};
        msgs[count] = {};
        msgs[count].msg_hdr.msg_iov = &iov[count];
        msgs[count].msg_hdr.msg_iovlen = 1;
        lines += d.lines;
        ++count;
      }
      const int sent = sendmmsg(fds_[sender], msgs.data(), static_cast<unsigned>(count), 0);
      if (sent < 0) {
        ++result.errors;
        continue;
      }
      for (int k = 0; k < sent; ++k) {
        result.lines += traffic_.datagrams[(next_ + static_cast<size_t>(k)) % n].lines;
      }
      result.datagrams += static_cast<uint64_t>(sent);
      next_ = (next_ + static_cast<size_t>(sent)) % n;
    }
    result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    return result;
  }

 private:
  const Traffic& traffic_;
  std::vector<int> fds_;
  bool ok_ = true;
  size_t next_ = 0;  // the traffic's next datagram
};

// Waits until `read()` reaches `target` or stops moving for 300 ms.
template <typename F>
void Drain(F read, uint64_t target) {
  uint64_t last = read();
  auto moved = SteadyClock::now();
  while (last < target && SteadyClock::now() - moved < std::chrono::milliseconds(300)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const uint64_t now = read();
    if (now != last) moved = SteadyClock::now();
    last = now;
  }
}

struct Outcome {
  SendResult sent;
  uint64_t lines_read = 0;
  uint64_t datagrams_read = 0;
  uint64_t kernel_drops = 0;
  double receiver_cpu_s = 0;
  double wall_s = 0;
};

void Report(benchmark::State& state, const Outcome& o, const Traffic& traffic) {
  state.SetIterationTime(o.wall_s);
  state.counters["lines_per_cpu_s"] =
      o.receiver_cpu_s > 0 ? static_cast<double>(o.lines_read) / o.receiver_cpu_s : 0;
  state.counters["recv_cpu"] = o.receiver_cpu_s / o.wall_s;
  state.counters["sent_lines_per_s"] = static_cast<double>(o.sent.lines) / o.sent.seconds;
  state.counters["lost_lines"] =
      static_cast<double>(o.sent.lines) - static_cast<double>(o.lines_read);
  state.counters["lost_datagrams"] =
      static_cast<double>(o.sent.datagrams) - static_cast<double>(o.datagrams_read);
  state.counters["kernel_drops"] = static_cast<double>(o.kernel_drops);
  state.counters["send_errors"] = static_cast<double>(o.sent.errors);
  state.counters["lines_per_datagram"] =
      static_cast<double>(traffic.lines) / static_cast<double>(traffic.datagrams.size());
  state.counters["senders"] = static_cast<double>(traffic.senders);
  state.counters["identifiers"] = static_cast<double>(traffic.identifiers);
  state.counters["lines_per_report"] = static_cast<double>(traffic.lines) / kReports;
}

constexpr int kReceiveBuffer = 8 << 20;  // the receiver's default receive_buffer_bytes

// What the bench reads of a receiver.
struct Probe {
  uint16_t port = 0;
  std::function<uint64_t()> datagrams;  // read so far
  std::function<uint64_t()> lines;      // handled so far (accepted or refused)
  std::function<uint64_t()> drops;      // dropped by the kernel so far
  std::function<uint64_t()> cpu_ns;     // the receiving thread(s)' CPU so far
  std::function<void(bool)> pause;      // stops (true) or resumes the receiver
};

// Datagrams a burst sends into a paused receiver: few enough to fit the
// receive buffer of either shape (the kernel_drops counter shows they did).
constexpr size_t kBurstDatagrams = 2000;

// Warms the receiver up with every report once (every identifier parsed
// and every series created, as in a gateway that has run for a while),
// then sends at `rate` for the configured time and waits for the receiver
// to drain. A `rate` of -1 sends bursts instead: each into the paused
// receiver's socket, which then drains it in full batches; the receiver's
// CPU is then all work (paused it sleeps), its capacity rather than its
// cost at the rate one sending thread of this machine reaches.
void Measure(benchmark::State& state, const Traffic& traffic, double rate, const Probe& probe) {
  Sender sender(traffic, probe.port);
  if (!sender.ok()) {
    state.SkipWithError("cannot open the sending sockets");
    return;
  }
  // A smoke run (under a second) warms up no longer than it measures.
  const double warm_seconds = SendSeconds() < 1 ? SendSeconds() : 60;
  const SendResult warm = sender.Send(150'000, warm_seconds, traffic.datagrams.size());
  Drain(probe.datagrams, warm.datagrams);
  // The receiver publishes its line counts on its timer (every 100 ms).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const uint64_t datagrams0 = probe.datagrams();
  const uint64_t lines0 = probe.lines();
  const uint64_t drops0 = probe.drops();
  const uint64_t cpu0 = probe.cpu_ns();
  const auto t0 = SteadyClock::now();
  Outcome o;
  if (rate >= 0) {
    o.sent = sender.Send(rate, SendSeconds());
    Drain(probe.datagrams, datagrams0 + o.sent.datagrams);
  } else {
    const auto end = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(SendSeconds()));
    while (SteadyClock::now() < end) {
      probe.pause(true);
      const SendResult burst = sender.Send(0, 60, kBurstDatagrams);
      probe.pause(false);
      o.sent.datagrams += burst.datagrams;
      o.sent.lines += burst.lines;
      o.sent.errors += burst.errors;
      Drain(probe.datagrams, datagrams0 + o.sent.datagrams);
    }
    o.sent.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  }
  o.wall_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  o.receiver_cpu_s = static_cast<double>(probe.cpu_ns() - cpu0) / 1e9;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  o.datagrams_read = probe.datagrams() - datagrams0;
  o.lines_read = probe.lines() - lines0;
  o.kernel_drops = probe.drops() - drops0;
  Report(state, o, traffic);
}

// args: packed (0/1), rate (see PeerCases), receive buffer (bytes asked for
// with SO_RCVBUF)
void BM_PeerRecvfromCount(benchmark::State& state) {
  const Traffic& traffic = TrafficOf(state.range(0) != 0);
  const double rate = static_cast<double>(state.range(1));
  for (auto _ : state) {
    const int fd = UdpSocket();
    const int receive_buffer = static_cast<int>(state.range(2));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    sockaddr_in local = Loopback(0);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
      state.SkipWithError("cannot bind the peer's socket");
      close(fd);
      return;
    }
    socklen_t len = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
    timeval timeout{0, 20'000};  // lets the reader see `stop`
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

    std::atomic<bool> stop{false};
    std::atomic<bool> paused{false};
    std::atomic<uint64_t> lines{0}, datagrams{0};
    std::atomic<pid_t> tid{0};
    std::thread reader([&] {
      tid = Tid();
      std::vector<char> buffer(65536);
      sockaddr_storage from;
      uint64_t n_lines = 0, n_datagrams = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (paused.load(std::memory_order_relaxed)) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          continue;
        }
        socklen_t from_len = sizeof(from);
        const ssize_t n = recvfrom(fd, buffer.data(), buffer.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n <= 0) continue;
        const char* p = buffer.data();
        const char* e = p + n;
        ++n_lines;
        while ((p = static_cast<const char*>(std::memchr(p, '\n', e - p))) != nullptr) {
          ++n_lines;
          ++p;
        }
        ++n_datagrams;
        lines.store(n_lines, std::memory_order_relaxed);
        datagrams.store(n_datagrams, std::memory_order_relaxed);
      }
    });
    while (tid.load() == 0) std::this_thread::yield();
    Probe probe;
    probe.port = ntohs(local.sin_port);
    probe.datagrams = [&] { return datagrams.load(); };
    probe.lines = [&] { return lines.load(); };
    probe.drops = [&] {
      uint32_t meminfo[SK_MEMINFO_VARS] = {};
      socklen_t size = sizeof(meminfo);
      getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &size);
      return uint64_t{meminfo[SK_MEMINFO_DROPS]};
    };
    probe.cpu_ns = [&] { return ThreadCpuNs(tid); };
    probe.pause = [&](bool on) { paused = on; };
    Measure(state, traffic, rate, probe);
    stop = true;
    reader.join();
    close(fd);
  }
}

// The aggregator behind a gate: a paused receiver's lane waits in it, so
// what is sent meanwhile queues in its socket.
class PausableSink : public FlinkSampleSink {
 public:
  explicit PausableSink(FlinkSampleSink* next) : next_(next) {}
  void OnFlinkSample(const FlinkSample& sample) override {
    if (paused_.load(std::memory_order_relaxed)) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !paused_.load(); });
    }
    next_->OnFlinkSample(sample);
  }
  void Pause(bool on) {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      paused_ = on;
    }
    cv_.notify_all();
  }

 private:
  FlinkSampleSink* next_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> paused_{false};
};

// args: packed (0/1), rate (see PeerCases), receive_batch,
// receive buffer (bytes asked for with SO_RCVBUF)
void BM_StatsdReceiver(benchmark::State& state) {
  const Traffic& traffic = TrafficOf(state.range(0) != 0);
  const double rate = static_cast<double>(state.range(1));
  for (auto _ : state) {
    prometheus::Registry registry;
    IngestMetrics metrics(registry);
    ProcessJobTable processes{ProcessJobTable::Options{}};
    Aggregator aggregator{AggregatorConfig{}};
    StatsdReceiverOptions options;
    options.listen = "127.0.0.1:0";
    options.receive_batch = static_cast<int>(state.range(2));
    options.receive_buffer_bytes = state.range(3);
    PausableSink pausable(&aggregator);
    StatsdReceiver receiver(options, &pausable, &processes, &metrics, WallClockMs);
    const std::set<pid_t> before = Threads();
    if (!receiver.Start().ok()) {
      state.SkipWithError("cannot start the receiver");
      return;
    }
    std::set<pid_t> lanes;
    for (pid_t tid : Threads()) {
      if (!before.contains(tid)) lanes.insert(tid);
    }
    Probe probe;
    probe.port = receiver.port();
    probe.datagrams = [&] { return receiver.datagrams(); };
    probe.lines = [&] {
      double lines = metrics.received("statsd");
      for (const char* reason :
           {"invalid_value", "parse_error", "scope", "unsupported_type", "too_large"}) {
        lines += metrics.rejected("statsd", reason);
      }
      return static_cast<uint64_t>(lines);
    };
    probe.drops = [&] { return receiver.overloaded(); };
    probe.cpu_ns = [&] { return ThreadsCpuNs(lanes); };
    probe.pause = [&](bool on) { pausable.Pause(on); };
    Measure(state, traffic, rate, probe);
    (void)receiver.Shutdown(absl::InfiniteFuture());
    benchmark::DoNotOptimize(aggregator.FlushAll(WallClockMs() + 3'600'000));
  }
}

// Linux's default net.core.rmem_max (and rmem_default): what a socket gets
// without the sysctl raised.
constexpr int kLinuxDefaultRmemMax = 212992;

// rate: lines/s; 0 as fast as the sending thread goes; -1 bursts into the
// paused receiver (its capacity).
void PeerCases(benchmark::internal::Benchmark* b) {
  for (int packed : {1, 0}) {
    for (int rate : {500'000, 0, -1}) b->Args({packed, rate, kReceiveBuffer});
    b->Args({packed, 500'000, kLinuxDefaultRmemMax});
  }
}

void ReceiverCases(benchmark::internal::Benchmark* b) {
  for (int packed : {1, 0}) {
    for (int rate : {500'000, 0, -1}) {
      for (int batch : {1, 64}) b->Args({packed, rate, batch, kReceiveBuffer});
    }
    b->Args({packed, 500'000, 64, kLinuxDefaultRmemMax});
  }
}

BENCHMARK(BM_PeerRecvfromCount)
    ->Apply(PeerCases)
    ->ArgNames({"packed", "rate", "rcvbuf"})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_StatsdReceiver)
    ->Apply(ReceiverCases)
    ->ArgNames({"packed", "rate", "batch", "rcvbuf"})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace vitals::gateway
