// The Gateway in one process on time of its own: pushes over loopback HTTP,
// batches through the embedded Kafka, intervals cut by a ManualTimeSource
// set far from the wall clock, so that every interval in Kafka proves the
// injected time decided it.

#include "gateway/gateway.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "common/http/client.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;

// 2031-01-01T00:00:03Z: three seconds into a 10 s interval, years away
// from the wall clock.
constexpr int64_t kIntervalStart = 1'924'992'000'000;
constexpr int64_t kStart = kIntervalStart + 3'000;

// A TaskManager push as Flink's PrometheusPushGatewayReporter sends it:
// one job-scoped series (which names the job) and one process series.
constexpr char kPush[] =
    "# TYPE flink_taskmanager_Status_JVM_CPU_Load gauge\n"
    "flink_taskmanager_Status_JVM_CPU_Load{host=\"h1\",tm_id=\"tm1\",} 0.25\n"
    "# TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge\n"
    "flink_taskmanager_job_task_busyTimeMsPerSecond{job_id=\"j1\",job_name=\"orders\","
    "task_name=\"map\",subtask_index=\"0\",host=\"h1\",tm_id=\"tm1\",} 400.0\n";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("flink.metrics", 1).ok());
  }

  GatewayConfig Config() const {
    GatewayConfig c;
    c.node = "node-1";
    c.cluster = "k8s-a";
    c.listen = "127.0.0.1:0";
    c.receivers.of<StatsdReceiver>().enabled = false;
    c.kafka_properties["bootstrap.servers"] = cluster_->bootstrap_servers();
    return c;
  }

  // Every batch on the topic from its start, waiting (real time) until
  // `want` arrived.
  std::vector<v1::MetricBatch> Consume(size_t want) {
    auto consumer =
        kafka::KafkaConsumer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()},
                                      {"group.id", "gateway-test-" + std::to_string(++readers_)},
                                      {"auto.offset.reset", "earliest"}},
                                     {"flink.metrics"});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::vector<v1::MetricBatch> batches;
    const absl::Time give_up = absl::Now() + absl::Seconds(90);
    while (consumer.ok() && batches.size() < want && absl::Now() < give_up) {
      auto m = (*consumer)->Poll(absl::Milliseconds(100));
      if (!m.ok() || !m->has_value()) continue;
      v1::MetricBatch batch;
      EXPECT_TRUE(batch.ParseFromString((*m)->value));
      batches.push_back(std::move(batch));
    }
    if (consumer.ok()) (*consumer)->Close();
    return batches;
  }

  static void Push(const Gateway& gw, std::string_view group) {
    http::HttpClient client("127.0.0.1", gw.http_port());
    auto r = client.Send("PUT", "/metrics/job/" + std::string(group), kPush);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  // The one batch of a gateway (gateway.pushgateway.cluster_override:
  // `cluster_override`) after one push to /metrics/job/<path> over loopback HTTP.
  v1::MetricBatch BatchOfAPushTo(std::string_view path, bool cluster_override) {
    ManualTimeSource time(kStart);
    GatewayConfig config = Config();
    config.push_cluster_override = cluster_override;
    Gateway gw(config, time);
    EXPECT_TRUE(gw.Start().ok());
    Push(gw, path);
    time.Advance(absl::Seconds(7));  // the first boundary passes
    std::vector<v1::MetricBatch> batches = Consume(1);
    EXPECT_TRUE(gw.Shutdown(absl::Now() + absl::Seconds(30)).ok());
    EXPECT_EQ(batches.size(), 1u);
    return batches.empty() ? v1::MetricBatch() : batches[0];
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  // Each read is a group of its own, from the topic's start.
  int readers_ = 0;
};

TEST_F(GatewayTest, CutsIntervalsOnItsTimeSourceAndFlushesTheOpenOneAtShutdown) {
  ManualTimeSource time(kStart);
  Gateway gw(Config(), time);
  ASSERT_TRUE(gw.Start().ok());
  Push(gw, "flink-tm1");
  // The first boundary passes: the flusher closes [start, start+10s).
  time.Advance(absl::Seconds(7));
  std::vector<v1::MetricBatch> batches = Consume(1);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].interval_start_ms(), kIntervalStart);
  EXPECT_EQ(batches[0].interval_length_ms(), 10'000);
  EXPECT_EQ(batches[0].job_name(), "orders");
  EXPECT_EQ(batches[0].cluster(), "k8s-a");
  EXPECT_EQ(batches[0].gateway(), "node-1");

  // Halfway into the next interval the gateway stops: the receivers first,
  // then the open interval is flushed and drained to Kafka.
  time.Advance(absl::Seconds(5));
  Push(gw, "flink-tm1");
  EXPECT_TRUE(gw.Shutdown(absl::Now() + absl::Seconds(30)).ok());
  batches = Consume(2);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].interval_start_ms(), kIntervalStart + 10'000);
  EXPECT_EQ(batches[1].job_name(), "orders");
  EXPECT_TRUE(gw.Shutdown(absl::Now()).ok()) << "a second shutdown is a no-op";
}

TEST_F(GatewayTest, APushedClusterDoesNotOverrideTheConfiguredOneByDefault) {
  const v1::MetricBatch batch = BatchOfAPushTo("flink-tm1/cluster/other", false);
  EXPECT_EQ(batch.job_name(), "orders");
  EXPECT_EQ(batch.cluster(), "k8s-a");  // gateway.cluster
  for (const v1::SeriesAggregate& series : batch.series()) {
    EXPECT_FALSE(series.labels().contains("cluster")) << series.metric();  // dropped
  }
}

TEST_F(GatewayTest, WithClusterOverrideAPushedClusterNamesTheBatches) {
  const v1::MetricBatch batch = BatchOfAPushTo("flink-tm1/cluster/other", true);
  EXPECT_EQ(batch.job_name(), "orders");
  EXPECT_EQ(batch.cluster(), "other");
  for (const v1::SeriesAggregate& series : batch.series()) {
    EXPECT_FALSE(series.labels().contains("cluster")) << series.metric();
  }
}

TEST_F(GatewayTest, ABadPushedClusterGets400NamingTheLabel) {
  ManualTimeSource time(kStart);
  Gateway gw(Config(), time);
  ASSERT_TRUE(gw.Start().ok());
  http::HttpClient client("127.0.0.1", gw.http_port());
  for (const std::string& path : {std::string("/metrics/job/g/cluster/k8s%20prod"),
                                  "/metrics/job/g/cluster/" + std::string(129, 'c')}) {
    auto r = client.Send("PUT", path, kPush);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_THAT(r->body, HasSubstr("label cluster")) << path;
  }
  EXPECT_TRUE(gw.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

TEST_F(GatewayTest, AFailedStartNamesTheComponentAndStopsWhatStarted) {
  ManualTimeSource time(kStart);
  Gateway first(Config(), time);
  ASSERT_TRUE(first.Start().ok());
  GatewayConfig taken = Config();
  taken.listen = absl::StrCat("127.0.0.1:", first.http_port());
  Gateway second(taken, time);
  const absl::Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("http server"));
  EXPECT_FALSE(second.ready());
  EXPECT_TRUE(second.Shutdown(absl::Now()).ok()) << "nothing left running to stop";
  EXPECT_TRUE(first.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

TEST_F(GatewayTest, ShutdownWithoutStartIsSafe) {
  Gateway gw(Config());
  EXPECT_TRUE(gw.Shutdown(absl::Now()).ok());
}

}  // namespace
}  // namespace vitals::gateway
