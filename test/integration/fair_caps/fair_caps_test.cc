// Issue 16's acceptance for the fair caps, against `vitals gateway` as a
// real process with the default caps, over HTTP on 127.0.0.1: one push
// group floods 10,000 new jobs; a new job from another push group is
// admitted within one interval, both while the flood is only rate-limited
// (`source_cap`) and once it has filled everything but the reserve
// (`global_cap`); the process's RSS stays under the bound deploy/README.md
// documents for the default caps and falls back to within 10% of its
// baseline once the flood's series have expired.
//
// The same run measures what deploy/README.md ("Memory") reports:
// VITALS_FLOOD_SERIES_PER_JOB (default 14: 140,000 series, more than the
// 135,000 any one sender may fill under the default caps) sets the
// flood's series per job and VITALS_FLOOD_AGGREGATION adds one YAML line to
// `gateway.aggregation` (e.g. "max_new_series_per_source: 1000000" to fill
// at once); the figures are printed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "test/integration/support/gateway_process.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals {
namespace {

constexpr int kFloodJobs = 10'000;
constexpr int64_t kIntervalMs = 2'000;
constexpr absl::Duration kInterval = absl::Milliseconds(kIntervalMs);
constexpr int kSteadySeries = 50;
constexpr int kNewcomerSeries = 40;
// deploy/README.md ("Memory"): with the default caps the gateway stays
// under this (plus its Kafka buffer), below the DaemonSet's 768 MiB limit.
constexpr double kDocumentedBoundBytes = 600.0 * 1024 * 1024;

double RssBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) * 1024;
  }
  return 0;
}

double MiB(double bytes) { return bytes / (1024 * 1024); }

int SeriesPerFloodJob() {
  const char* env = std::getenv("VITALS_FLOOD_SERIES_PER_JOB");
  int n = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &n) && n > 0) return n;
  return 14;
}

std::string JobId(const std::string& job) {
  return absl::StrFormat("%016x%016x", std::hash<std::string>()(job), job.size());
}

// One line of operator `op`'s gauge `family` for `job`, Flink-shaped: a
// subset of the operator scope's variables (Flink's docs, "Scope"), enough
// to make every job and operator its own series; the load, not Flink's
// exact output, is what this test is about.
void AppendLine(std::string& out, const std::string& family, const std::string& job,
                const std::string& op, const std::string& tm, double value) {
  absl::StrAppend(&out, family, "{job_id=\"", JobId(job), "\",job_name=\"", job,
                  "\",task_name=\"Source\",operator_name=\"", op,
                  "\",subtask_index=\"0\",host=\"10.0.0.9\",tm_id=\"", tm, "\"} ", value, "\n");
}

// A push group of `series` gauges of one job.
std::string JobBody(const std::string& job, int series, const std::string& tm) {
  const std::string family = "flink_taskmanager_job_task_operator_currentOutputWatermark";
  std::string body = absl::StrCat("# TYPE ", family, " gauge\n");
  for (int i = 0; i < series; ++i) AppendLine(body, family, job, absl::StrCat("op", i), tm, i);
  return body;
}

// A flood's family `k`: one gauge for each of `jobs` jobs named
// `<prefix><n>`. Gauges, not counters: the Prometheus view remembers counter
// totals for counter_memory_intervals (docs/gateway-metrics.md) on purpose.
std::string FloodBody(const std::string& prefix, int jobs, int k) {
  const std::string family = absl::StrCat("flink_taskmanager_job_task_operator_floodGauge", k);
  std::string body = absl::StrCat("# TYPE ", family, " gauge\n");
  for (int j = 0; j < jobs; ++j) {
    AppendLine(body, family, absl::StrFormat("%s%05d", prefix, j), "Source", "tmFlood", j);
  }
  return body;
}

// Series of `job` in a /metrics text (its aggregated Flink series).
int JobSeries(std::string_view exposition, const std::string& job) {
  const std::string needle = absl::StrCat("job_name=\"", job, "\"");
  int n = 0;
  for (size_t at = exposition.find(needle); at != std::string_view::npos;
       at = exposition.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class FairCapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::VitalsBinary().empty());
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("flink.metrics", 1).ok());
    const char* extra = std::getenv("VITALS_FLOOD_AGGREGATION");
    auto gateway = testing::GatewayProcess::Start(
        absl::StrCat("gateway:\n"
                     "  listen: 127.0.0.1:0\n"
                     "  statsd:\n"
                     "    listen: 127.0.0.1:0\n"
                     "  pushgateway:\n"
                     "    group_ttl: 600s\n"
                     "  aggregation:\n"
                     "    interval: 2s\n"
                     "    expire_after_intervals: 2\n",
                     extra == nullptr ? "" : absl::StrCat("    ", extra, "\n"),
                     "  kafka:\n"
                     "    properties:\n"
                     "      bootstrap.servers: ",
                     cluster_->bootstrap_servers(), "\n"),
        absl::Seconds(20));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    pid_ = gateway_->child().pid();
    auto consumer =
        kafka::KafkaConsumer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()},
                                      {"group.id", "fair-caps-check"},
                                      {"auto.offset.reset", "earliest"}},
                                     {"flink.metrics"});
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    // The published batches of the newcomers (the key is the job name):
    // series per interval start.
    reader_ = std::thread([this, consumer = std::move(*consumer)] {
      while (!stop_) {
        auto message = consumer->Poll(absl::Milliseconds(200));
        if (!message.ok() || !message->has_value()) continue;
        if (!absl::StartsWith((*message)->key, "newcomer")) continue;
        v1::MetricBatch batch;
        if (!batch.ParseFromString((*message)->value)) continue;
        absl::MutexLock lock(&mu_);
        newcomer_series_[batch.job_name()][batch.interval_start_ms()] += batch.series_size();
      }
      consumer->Close();
    });
    sampler_ = std::thread([this] {
      while (!stop_) {
        const double rss = RssBytes(pid_);
        double peak = peak_.load();
        while (rss > peak && !peak_.compare_exchange_weak(peak, rss)) {
        }
        absl::SleepFor(absl::Milliseconds(50));
      }
    });
  }

  void TearDown() override {
    stop_ = true;
    if (sampler_.joinable()) sampler_.join();
    if (reader_.joinable()) reader_.join();
    if (gateway_ != nullptr) {
      EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
          << gateway_->child().Stderr();
    }
  }

  void Send(std::string_view method, const std::string& group, std::string_view body = {}) {
    auto response = http::Fetch(method, absl::StrCat(gateway_->url(), "/metrics/job/", group), body,
                                {{"Content-Type", "text/plain; version=0.0.4"}}, absl::Seconds(60));
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_LT(response->status, 300) << method << " " << group << ": " << response->body;
  }

  std::string Metrics() {
    auto metrics = gateway_->Metrics();
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    return metrics.ok() ? *metrics : std::string();
  }

  double Sample(std::string_view name, std::string_view filter = {}) {
    return testing::SampleSum(Metrics(), name, filter);
  }

  // Waits until just after an interval boundary, so that what is pushed
  // now is replayed at the next one.
  static absl::Time AfterBoundary() {
    const int64_t now = absl::ToUnixMillis(absl::Now());
    const int64_t next = (now / kIntervalMs + 1) * kIntervalMs;
    absl::SleepFor(absl::Milliseconds(next + 200 - now));
    return absl::FromUnixMillis(next);
  }

  // Pushes a new job from its own group just after a boundary: the batch
  // the gateway publishes for that very interval must hold all its series
  // (not one of the next), and /metrics must show them.
  void ExpectAdmittedWithinOneInterval(const std::string& job) {
    const int64_t interval_start = absl::ToUnixMillis(AfterBoundary());
    Send("PUT", absl::StrCat(job, "/instance/tm"), JobBody(job, kNewcomerSeries, "tmNew"));
    std::map<int64_t, int> published;
    const absl::Time deadline = absl::FromUnixMillis(interval_start) + 8 * kInterval;
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu_);
        published = newcomer_series_[job];
      }
      if (!published.empty()) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ASSERT_FALSE(published.empty()) << job << " never published; " << Diagnosis();
    EXPECT_EQ(published.begin()->first, interval_start)
        << job << " first published for the interval at " << published.begin()->first
        << ", not the one it was pushed in (" << interval_start << "): " << Diagnosis();
    EXPECT_EQ(published.begin()->second, kNewcomerSeries) << Diagnosis();
    EXPECT_EQ(JobSeries(Metrics(), job), kNewcomerSeries);
  }

  // The gateway's own figures, for a failure message.
  std::string Diagnosis() {
    const std::string metrics = Metrics();
    std::string out;
    for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
      if (absl::StartsWith(line, "vitals_gateway_series_dropped_total") ||
          absl::StartsWith(line, "vitals_gateway_active_series") ||
          absl::StartsWith(line, "vitals_gateway_flush_duration_seconds_sum") ||
          absl::StartsWith(line, "vitals_gateway_flush_duration_seconds_count") ||
          absl::StartsWith(line, "vitals_gateway_rejected_total")) {
        absl::StrAppend(&out, line, "\n");
      }
    }
    return out;
  }

  // RSS over one interval: the median of a few readings.
  double SteadyRss() {
    std::vector<double> readings;
    for (int i = 0; i < 10; ++i) {
      readings.push_back(RssBytes(pid_));
      absl::SleepFor(kInterval / 10);
    }
    std::sort(readings.begin(), readings.end());
    return readings[readings.size() / 2];
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<testing::GatewayProcess> gateway_;
  pid_t pid_ = 0;
  std::thread sampler_;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::map<std::string, std::map<int64_t, int>> newcomer_series_ ABSL_GUARDED_BY(mu_);
  std::atomic<double> peak_{0};
};

TEST_F(FairCapsTest, OneSourceFloodingTenThousandJobsLocksOutNoNewJobAndMemoryComesBack) {
  const int flood_families = SeriesPerFloodJob();
  // Warm-up: one well-behaved job reporting and scraped, and a small flood
  // that comes and expires, so that the baseline includes what any first
  // flood leaves for good (code paths run once, thread stacks).
  Send("PUT", "steady/instance/tmSteady", JobBody("steady", kSteadySeries, "tmSteady"));
  Send("PUT", "warmup/instance/tmFlood", FloodBody("warmup", kFloodJobs, 0));
  absl::SleepFor(2 * kInterval);
  Send("DELETE", "warmup/instance/tmFlood");
  const absl::Time warm_until = absl::Now() + 8 * kInterval;
  while (absl::Now() < warm_until) {
    (void)Metrics();
    absl::SleepFor(kInterval / 2);
  }
  ASSERT_EQ(Sample("vitals_gateway_active_series"), kSteadySeries) << Diagnosis();
  ASSERT_EQ(JobSeries(Metrics(), "steady"), kSteadySeries);
  const double baseline = SteadyRss();

  // The flood: one push group, 10,000 jobs of `flood_families` series.
  const absl::Time flood_start = absl::Now();
  for (int k = 0; k < flood_families; ++k) {
    Send("POST", "flood/instance/tmFlood", FloodBody("flood", kFloodJobs, k));
  }
  const double flood_series = static_cast<double>(kFloodJobs) * flood_families;

  // While the flood is limited by its allowance per interval.
  ExpectAdmittedWithinOneInterval("newcomerEarly");
  EXPECT_GT(
      Sample("vitals_gateway_series_dropped_total", "reason=\"source_cap\",source_kind=\"push\""),
      0);

  // Until the flood has filled all it may (the open share of max_series, or
  // all of it when it is smaller).
  double held = 0;
  double last_held = -1;
  int unchanged = 0;
  const absl::Time fill_deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < fill_deadline && unchanged < 2) {
    absl::SleepFor(kInterval);
    held = Sample("vitals_gateway_active_series");
    unchanged = held == last_held ? unchanged + 1 : 0;
    last_held = held;
  }
  const double filled_at = absl::ToDoubleSeconds(absl::Now() - flood_start);
  const double global_cap_drops =
      Sample("vitals_gateway_series_dropped_total", "reason=\"global_cap\",source_kind=\"push\"");
  if (flood_series > held) {
    EXPECT_GT(global_cap_drops, 0) << "a flood larger than what is held must meet the cap";
  }
  // Once it has: still, a new job from another sender gets in.
  ExpectAdmittedWithinOneInterval("newcomerLate");
  const double peak_during_flood = peak_.load();

  // The flood stops; its series expire (expire_after_intervals: 2).
  for (const std::string group :
       {"flood/instance/tmFlood", "newcomerEarly/instance/tm", "newcomerLate/instance/tm"}) {
    Send("DELETE", group);
  }
  const absl::Time expiry_deadline = absl::Now() + 10 * kInterval;
  while (absl::Now() < expiry_deadline && Sample("vitals_gateway_active_series") > kSteadySeries) {
    absl::SleepFor(kInterval / 2);
  }
  ASSERT_EQ(Sample("vitals_gateway_active_series"), kSteadySeries);
  // The view forgets them after keep_intervals (3) flushes; the trims
  // follow the expiry's close and the next.
  absl::SleepFor(4 * kInterval);
  ASSERT_EQ(JobSeries(Metrics(), "steady"), kSteadySeries);
  const double after = SteadyRss();

  const std::string report = absl::StrFormat(
      "flood %d jobs x %d series = %.0f; held at the cap %.0f after %.1f s; RSS baseline %.1f "
      "MiB, peak %.1f MiB (%.0f bytes per held series over baseline), after expiry %.1f MiB "
      "(%+.1f%%)",
      kFloodJobs, flood_families, flood_series, held, filled_at, MiB(baseline),
      MiB(peak_during_flood), (peak_during_flood - baseline) / std::max(held, 1.0), MiB(after),
      100 * (after - baseline) / baseline);
  std::cout << report << "\n";
  RecordProperty("memory", report);

  EXPECT_LT(peak_during_flood, kDocumentedBoundBytes) << report;
  EXPECT_LE(after, baseline * 1.10) << report;
}

}  // namespace
}  // namespace vitals
