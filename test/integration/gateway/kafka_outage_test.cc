// A 60 s Kafka outage under a real `vitals gateway` while the simulator
// keeps pushing: with room in the local buffer every job interval arrives
// exactly once after recovery; with too little room the oldest intervals
// are dropped, every drop is counted, and the newest intervals survive.
// Both gateways ride out the same outage of one embedded cluster.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "common/log/log.h"
#include "sim/driver/driver.h"
#include "sim/fleet.h"
#include "test/integration/support/gateway_process.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals {
namespace {

constexpr int64_t kIntervalMs = 2000;
constexpr int kJobs = 4;
constexpr absl::Duration kOutage = absl::Seconds(60);

std::string GatewayConfig(const std::string& bootstrap, const std::string& topic,
                          const std::string& kafka_extra) {
  return absl::StrCat(
      "gateway:\n"
      "  node: outage-node\n"
      "  listen: 127.0.0.1:0\n"
      "  statsd:\n"
      "    enabled: false\n"
      // A stalled pusher on a loaded machine must not expire groups: this
      // test is about Kafka, not about dead pods.
      "  pushgateway:\n"
      "    group_ttl: 30s\n"
      "  aggregation:\n"
      "    interval: 2s\n"
      "  kafka:\n"
      "    topic: ",
      topic, "\n", kafka_extra,
      "    properties:\n"
      "      bootstrap.servers: ",
      bootstrap, "\n");
}

// Every message of `topic`, as (job name → interval start → parts seen).
struct Received {
  std::map<std::string, std::map<int64_t, std::multiset<uint32_t>>> parts;
  std::map<std::string, std::map<int64_t, uint32_t>> expected_parts;
  size_t messages = 0;
};

Received ConsumeAll(const std::string& bootstrap, const std::string& topic) {
  Received received;
  auto consumer = kafka::KafkaConsumer::Create({{"bootstrap.servers", bootstrap},
                                                {"group.id", "outage-check-" + topic},
                                                {"auto.offset.reset", "earliest"}},
                                               {topic});
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  if (!consumer.ok()) return received;
  // The topic is complete (the gateways have exited): read until quiet,
  // allowing the group join its time.
  absl::Time quiet_until = absl::Now() + absl::Seconds(40);
  while (absl::Now() < quiet_until) {
    auto message = (*consumer)->Poll(absl::Milliseconds(200));
    EXPECT_TRUE(message.ok()) << message.status();
    if (!message.ok() || !message->has_value()) continue;
    v1::MetricBatch batch;
    EXPECT_TRUE(batch.ParseFromString((*message)->value));
    ++received.messages;
    received.parts[batch.job_name()][batch.interval_start_ms()].insert(batch.part());
    received.expected_parts[batch.job_name()][batch.interval_start_ms()] =
        std::max<uint32_t>(batch.parts(), 1);
    quiet_until = std::max(quiet_until, absl::Now() + absl::Seconds(5));
  }
  return received;
}

class KafkaOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::VitalsBinary().empty());
    auto cluster = kafka::EmbeddedCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("metrics.roomy", 3).ok());
    ASSERT_TRUE(cluster_->CreateTopic("metrics.tight", 3).ok());
  }

  void StartPushing(const std::vector<std::string>& urls) {
    sim::FleetSpec spec;
    spec.jobs = kJobs;
    spec.task_managers = 2;
    spec.nodes = 1;
    spec.clusters = {"k8s-test"};
    spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
    auto fleet = sim::Fleet::Create(spec);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_ = std::make_unique<sim::Fleet>(std::move(*fleet));
    for (const std::string& url : urls) {
      sim::DriverOptions options;
      options.gateway_urls = {url};
      auto driver = sim::SimulationDriver::Create(fleet_.get(), options);
      ASSERT_TRUE(driver.ok()) << driver.status();
      drivers_.push_back(std::move(*driver));
    }
    pusher_ = std::thread([this] {
      while (!stop_pushing_) {
        const int64_t now = absl::ToUnixMillis(absl::Now());
        for (auto& driver : drivers_) {
          const sim::RoundStats stats = driver->Round(now);
          if (stats.failed > 0) ++failed_rounds_;
        }
        absl::SleepFor(absl::Milliseconds(500));
      }
    });
  }

  void StopPushing() {
    stop_pushing_ = true;
    if (pusher_.joinable()) pusher_.join();
  }

  void TearDown() override { StopPushing(); }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<sim::Fleet> fleet_;
  std::vector<std::unique_ptr<sim::SimulationDriver>> drivers_;
  std::thread pusher_;
  std::atomic<bool> stop_pushing_{false};
  std::atomic<int> failed_rounds_{0};
};

TEST_F(KafkaOutageTest, EveryIntervalOnceWithRoomAndNewestSurviveWithout) {
  const std::string bootstrap = cluster_->bootstrap_servers();
  auto roomy = testing::GatewayProcess::Start(GatewayConfig(bootstrap, "metrics.roomy", ""),
                                              absl::Seconds(20));
  ASSERT_TRUE(roomy.ok()) << roomy.status();
  // Room for about four intervals (a job interval is some 26 kB here) and
  // few messages parked in librdkafka, so that the outage overflows it.
  auto tight = testing::GatewayProcess::Start(GatewayConfig(bootstrap, "metrics.tight",
                                                            "    buffer_bytes: 400000\n"
                                                            "    max_in_flight: 2\n"),
                                              absl::Seconds(20));
  ASSERT_TRUE(tight.ok()) << tight.status();
  StartPushing({(*roomy)->url(), (*tight)->url()});

  // Delivery works before the outage.
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  double delivered = -1;
  while (absl::Now() < deadline && delivered <= 0) {
    absl::SleepFor(absl::Milliseconds(500));
    auto metrics = (*roomy)->Metrics();
    if (metrics.ok()) {
      delivered = testing::SampleSum(*metrics, "vitals_gateway_kafka_messages_delivered_total");
    }
  }
  ASSERT_GT(delivered, 0) << (*roomy)->child().Stderr();

  const int64_t outage_start_ms = absl::ToUnixMillis(absl::Now());
  for (int broker = 1; broker <= cluster_->brokers(); ++broker) {
    ASSERT_TRUE(cluster_->SetBrokerDown(broker, true).ok());
  }
  log::Info("test: all brokers down", {});
  absl::SleepFor(kOutage);
  for (int broker = 1; broker <= cluster_->brokers(); ++broker) {
    ASSERT_TRUE(cluster_->SetBrokerDown(broker, false).ok());
  }
  const int64_t outage_end_ms = absl::ToUnixMillis(absl::Now());
  log::Info("test: all brokers up", {});

  // The pushes never failed: receivers do not wait on Kafka.
  EXPECT_EQ(failed_rounds_.load(), 0);

  // Both buffers drain after recovery.
  deadline = absl::Now() + absl::Seconds(90);
  double roomy_buffered = -1;
  double tight_buffered = -1;
  while (absl::Now() < deadline) {
    absl::SleepFor(absl::Seconds(1));
    auto roomy_metrics = (*roomy)->Metrics();
    auto tight_metrics = (*tight)->Metrics();
    if (!roomy_metrics.ok() || !tight_metrics.ok()) continue;
    roomy_buffered = testing::SampleSum(*roomy_metrics, "vitals_gateway_kafka_buffered_bytes");
    tight_buffered = testing::SampleSum(*tight_metrics, "vitals_gateway_kafka_buffered_bytes");
    if (roomy_buffered == 0 && tight_buffered == 0) break;
  }
  EXPECT_EQ(roomy_buffered, 0);
  EXPECT_EQ(tight_buffered, 0);
  // Run on a little after recovery, then stop the pods before the gateways.
  absl::SleepFor(absl::Seconds(4));
  StopPushing();

  auto roomy_metrics = (*roomy)->Metrics();
  ASSERT_TRUE(roomy_metrics.ok());
  EXPECT_EQ(testing::SampleSum(*roomy_metrics, "vitals_gateway_kafka_intervals_dropped_total"), 0);
  EXPECT_EQ(testing::SampleSum(*roomy_metrics, "vitals_gateway_kafka_messages_failed_total"), 0);
  auto tight_metrics = (*tight)->Metrics();
  ASSERT_TRUE(tight_metrics.ok());
  const double tight_dropped_live =
      testing::SampleSum(*tight_metrics, "vitals_gateway_kafka_intervals_dropped_total");
  EXPECT_GT(tight_dropped_live, 0);
  EXPECT_EQ(testing::SampleSum(*tight_metrics, "vitals_gateway_kafka_messages_failed_total"), 0);

  EXPECT_EQ((*roomy)->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
      << (*roomy)->child().Stderr();
  EXPECT_EQ((*tight)->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
      << (*tight)->child().Stderr();
  // Each gateway logs what Kafka acknowledged when it stops.
  const auto delivered_of = [](testing::GatewayProcess& gateway) {
    const std::string err = gateway.child().Stderr();
    constexpr std::string_view kDelivered = "every interval acknowledged by kafka\" delivered=";
    const size_t at = err.rfind(kDelivered);
    return at == std::string::npos ? -1L : std::atol(err.c_str() + at + kDelivered.size());
  };

  // Roomy: per job, every interval from the first to the last exactly once,
  // each with all of its parts, spanning the outage.
  const Received all = ConsumeAll(bootstrap, "metrics.roomy");
  EXPECT_EQ(static_cast<long>(all.messages), delivered_of(**roomy));
  ASSERT_EQ(all.parts.size(), static_cast<size_t>(kJobs));
  for (const auto& [job, intervals] : all.parts) {
    SCOPED_TRACE(job);
    ASSERT_FALSE(intervals.empty());
    EXPECT_LT(intervals.begin()->first, outage_start_ms);
    EXPECT_GT(intervals.rbegin()->first, outage_end_ms);
    int64_t expected = intervals.begin()->first;
    for (const auto& [start, parts] : intervals) {
      EXPECT_EQ(start, expected) << "gap before interval " << start;
      expected = start + kIntervalMs;
      const uint32_t want = all.expected_parts.at(job).at(start);
      EXPECT_EQ(parts.size(), want) << "interval " << start << ": duplicates or missing parts";
      EXPECT_EQ(std::set<uint32_t>(parts.begin(), parts.end()).size(), want)
          << "interval " << start;
    }
  }

  // Tight: what is missing is exactly what was counted as dropped, nothing
  // arrived twice, and the newest intervals (from the outage's last part on)
  // all arrived.
  const Received some = ConsumeAll(bootstrap, "metrics.tight");
  EXPECT_EQ(static_cast<long>(some.messages), delivered_of(**tight)) << (*tight)->child().Stderr();
  ASSERT_EQ(some.parts.size(), static_cast<size_t>(kJobs));
  int64_t missing = 0;
  for (const auto& [job, intervals] : some.parts) {
    SCOPED_TRACE(job);
    const int64_t first = intervals.begin()->first;
    const int64_t last = intervals.rbegin()->first;
    missing += (last - first) / kIntervalMs + 1 - static_cast<int64_t>(intervals.size());
    for (const auto& [start, parts] : intervals) {
      EXPECT_EQ(std::set<uint32_t>(parts.begin(), parts.end()).size(), parts.size())
          << "interval " << start << " arrived twice";
    }
    for (int64_t start = (outage_end_ms / kIntervalMs + 1) * kIntervalMs; start <= last;
         start += kIntervalMs) {
      EXPECT_TRUE(intervals.count(start)) << "newest interval " << start << " was lost";
    }
  }
  EXPECT_GT(missing, 0);
  EXPECT_EQ(static_cast<double>(missing), tight_dropped_live)
      << "drops counted by the gateway differ from the intervals missing in Kafka";
}

}  // namespace
}  // namespace vitals
