#include "gateway/receivers/pushgateway/receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/http/gzip.h"
#include "prometheus/registry.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;

constexpr char kTmBody[] =
    "# HELP flink_taskmanager_Status_JVM_CPU_Load Load\n"
    "# TYPE flink_taskmanager_Status_JVM_CPU_Load gauge\n"
    "flink_taskmanager_Status_JVM_CPU_Load{host=\"h1\",tm_id=\"tm1\",} 0.25\n"
    "# TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge\n"
    "flink_taskmanager_job_task_busyTimeMsPerSecond{job_id=\"j1\",job_name=\"orders\","
    "task_name=\"map\",subtask_index=\"0\",host=\"h1\",tm_id=\"tm1\",} 400.0\n";

// The gateway's own cluster (gateway.cluster) in these tests.
constexpr char kConfiguredCluster[] = "k8s-home";

class PushgatewayReceiverTest : public ::testing::Test {
 protected:
  PushgatewayReceiverTest()
      : metrics_(registry_),
        store_(absl::Seconds(30)),
        receiver_(
            &store_, &processes_, &metrics_, 1 << 20, [this] { return now_ms_; },
            PushClusterOptions{kConfiguredCluster, /*pushed_overrides=*/false}) {}

  http::Response Send(std::string_view method, std::string_view path, std::string_view body,
                      std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    return receiver_.Handle(http::Request(method, path, body, std::move(headers)));
  }

  RecordingSink Replay() {
    RecordingSink sink;
    receiver_.Replay(sink, now_ms_);
    return sink;
  }

  // A receiver on the same store and tables that lets a pushed cluster
  // override the configured one (gateway.pushgateway.cluster_override).
  std::unique_ptr<PushgatewayReceiver> Overriding() {
    return std::make_unique<PushgatewayReceiver>(
        &store_, &processes_, &metrics_, 1 << 20, [this] { return now_ms_; },
        PushClusterOptions{kConfiguredCluster, /*pushed_overrides=*/true});
  }

  prometheus::Registry registry_;
  IngestMetrics metrics_;
  PushGroupStore store_;
  ProcessJobTable processes_{ProcessJobTable::Options{}};
  int64_t now_ms_ = 1'000'000;
  PushgatewayReceiver receiver_;
};

TEST_F(PushgatewayReceiverTest, PutStoresTheGroupAndReplayAttributesProcessMetricsToItsJob) {
  // Flink's defaults: jobName "" + randomJobNameSuffix, so the group is
  // 32 hex characters; the job comes from the body's job-scoped series.
  http::Response r =
      Send("PUT", "/metrics/job/0123456789abcdef0123456789abcdef/cluster/k8s-a", kTmBody);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_.size(), 1u);
  EXPECT_EQ(metrics_.received("pushgateway"), 2);
  RecordingSink sink = Replay();
  ASSERT_EQ(sink.samples.size(), 2u);
  const RecordedSample* cpu = sink.Find("Status_JVM_CPU_Load");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->job_name, "orders");  // what the process's job-scoped series name
  EXPECT_EQ(cpu->job_id, "j1");
  // The gateway's own cluster: a pushed one does not override it by default.
  EXPECT_EQ(cpu->cluster, "");
  EXPECT_EQ(cpu->timestamp_ms, now_ms_);
  EXPECT_THAT(cpu->source, HasSubstr("0123456789abcdef0123456789abcdef"));
}

TEST_F(PushgatewayReceiverTest, AGroupNameIsNeverAJob) {
  // A fleet-wide `jobName: flink`: a JobManager between jobs pushes only
  // its own JVM series. They belong to no job, and `flink` is none.
  ASSERT_EQ(Send("PUT", "/metrics/job/flink0123456789abcdef0123456789abcdef",
                 "# TYPE flink_jobmanager_Status_JVM_CPU_Load gauge\n"
                 "flink_jobmanager_Status_JVM_CPU_Load{host=\"jm\",} 0.1\n")
                .status,
            200);
  EXPECT_TRUE(Replay().samples.empty());
  EXPECT_EQ(processes_.counts().unattributed, 1u);
}

TEST_F(PushgatewayReceiverTest, GroupingLabelsReachEverySampleAndWinClashes) {
  // A per-team groupingKey, and a pushed `host` the grouping key overrides,
  // as the Pushgateway itself exposes them.
  ASSERT_EQ(Send("PUT", "/metrics/job/orders/team/payments/host/pod-7", kTmBody).status, 200);
  RecordingSink sink = Replay();
  ASSERT_EQ(sink.samples.size(), 2u);
  for (const RecordedSample& s : sink.samples) {
    EXPECT_EQ(s.labels.at("team"), "payments") << s.metric;
    EXPECT_EQ(s.labels.at("host"), "pod_7") << s.metric;
    EXPECT_FALSE(s.labels.contains("cluster"));
  }
}

TEST_F(PushgatewayReceiverTest, PutReplacesPostMergesDeleteRemoves) {
  ASSERT_EQ(Send("PUT", "/metrics/job/g", kTmBody).status, 200);
  // POST replaces only the families it carries.
  ASSERT_EQ(Send("POST", "/metrics/job/g",
                 "# TYPE flink_taskmanager_Status_JVM_CPU_Load gauge\n"
                 "flink_taskmanager_Status_JVM_CPU_Load{host=\"h1\",tm_id=\"tm1\",} 0.75\n")
                .status,
            200);
  RecordingSink after_post = Replay();
  ASSERT_EQ(after_post.samples.size(), 2u);
  EXPECT_DOUBLE_EQ(after_post.Find("Status_JVM_CPU_Load")->value, 0.75);
  EXPECT_NE(after_post.Find("busyTimeMsPerSecond"), nullptr);
  // PUT replaces the whole group.
  ASSERT_EQ(Send("PUT", "/metrics/job/g",
                 "# TYPE flink_taskmanager_Status_JVM_CPU_Load gauge\n"
                 "flink_taskmanager_Status_JVM_CPU_Load{host=\"h1\",tm_id=\"tm1\",} 0.5\n")
                .status,
            200);
  RecordingSink after_put = Replay();
  ASSERT_EQ(after_put.samples.size(), 1u);
  EXPECT_EQ(after_put.Find("busyTimeMsPerSecond"), nullptr);
  // DELETE removes it (Flink's deleteOnShutdown).
  EXPECT_EQ(Send("DELETE", "/metrics/job/g", "").status, 202);
  EXPECT_TRUE(Replay().samples.empty());
}

TEST_F(PushgatewayReceiverTest, BadBodyGets400NamingTheLineAndKeepsTheGroup) {
  ASSERT_EQ(Send("PUT", "/metrics/job/g", kTmBody).status, 200);
  http::Response r =
      Send("PUT", "/metrics/job/g", "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} not-a-number\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("line 3"));
  EXPECT_EQ(Replay().samples.size(), 2u);  // the earlier push is intact
  EXPECT_EQ(metrics_.rejected("pushgateway", "parse_error"), 1);
}

TEST_F(PushgatewayReceiverTest, BadPathsAre400) {
  EXPECT_EQ(Send("PUT", "/metrics/job/", kTmBody).status, 400);
  EXPECT_EQ(Send("PUT", "/metrics/job/g/instance", kTmBody).status, 400);
  EXPECT_EQ(metrics_.rejected("pushgateway", "bad_path"), 2);
}

TEST_F(PushgatewayReceiverTest, GzipBodiesAreInflatedAndBombsRefused) {
  const std::string gz = http::Gzip(kTmBody);
  EXPECT_EQ(Send("PUT", "/metrics/job/g", gz, {{"Content-Encoding", "gzip"}}).status, 200);
  EXPECT_EQ(Replay().samples.size(), 2u);
  EXPECT_EQ(Send("PUT", "/metrics/job/g", http::Gzip(std::string(4 << 20, '#')),
                 {{"Content-Encoding", "gzip"}})
                .status,
            413);
  EXPECT_EQ(Send("PUT", "/metrics/job/g", "garbage", {{"Content-Encoding", "gzip"}}).status, 400);
}

TEST_F(PushgatewayReceiverTest, OpenMetricsBodiesByContentType) {
  http::Response r = Send("PUT", "/metrics/job/g",
                          "# TYPE flink_jobmanager_job_numRestarts gauge\n"
                          "flink_jobmanager_job_numRestarts{job_name=\"j\"} 3\n# EOF\n",
                          {{"Content-Type", "application/openmetrics-text; version=1.0.0"}});
  EXPECT_EQ(r.status, 200) << r.body;
  RecordingSink sink = Replay();
  ASSERT_EQ(sink.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(sink.samples[0].value, 3);
  // Without # EOF it is not OpenMetrics.
  EXPECT_EQ(Send("PUT", "/metrics/job/g", "a 1\n",
                 {{"Content-Type", "application/openmetrics-text; version=1.0.0"}})
                .status,
            400);
}

TEST_F(PushgatewayReceiverTest, GroupsExpireAfterTheirTtl) {
  ASSERT_EQ(Send("PUT", "/metrics/job/dead-pod", kTmBody).status, 200);
  now_ms_ += 20'000;
  ASSERT_EQ(Send("PUT", "/metrics/job/live-pod", kTmBody).status, 200);
  EXPECT_EQ(Replay().samples.size(), 4u);
  now_ms_ += 15'000;  // dead-pod is now 35 s old, beyond the 30 s TTL
  RecordingSink sink = Replay();
  EXPECT_EQ(sink.samples.size(), 2u);
  EXPECT_EQ(store_.size(), 1u);
}

TEST_F(PushgatewayReceiverTest, APushedClusterIsIgnoredByDefaultAndCountedWhenItDiffers) {
  ASSERT_EQ(Send("PUT", "/metrics/job/j/cluster/other", kTmBody).status, 200);
  RecordingSink sink = Replay();
  ASSERT_EQ(sink.samples.size(), 2u);
  for (const RecordedSample& s : sink.samples) {
    EXPECT_EQ(s.cluster, "") << s.metric;  // the configured cluster (the aggregator's)
    EXPECT_FALSE(s.labels.contains("cluster")) << s.metric;  // dropped, not an ordinary label
  }
  EXPECT_EQ(metrics_.cluster_ignored("pushgateway"), 1);
  // Naming the gateway's own cluster loses nothing: not counted.
  ASSERT_EQ(
      Send("PUT", absl::StrCat("/metrics/job/k/cluster/", kConfiguredCluster), kTmBody).status,
      200);
  EXPECT_EQ(metrics_.cluster_ignored("pushgateway"), 1);
  // The group itself is kept as pushed: the Pushgateway API shows its key.
  EXPECT_THAT(receiver_.RenderGroupsJson(), HasSubstr(R"("labels":{"cluster":"other","job":"j"})"));
}

TEST_F(PushgatewayReceiverTest, WithTheOverrideAPushedClusterNamesTheSamplesCluster) {
  std::unique_ptr<PushgatewayReceiver> overriding = Overriding();
  http::Response r = overriding->Handle(
      http::Request("PUT", "/metrics/job/j/cluster/yarn-prod-1.a_b", kTmBody, {}));
  ASSERT_EQ(r.status, 200) << r.body;
  // A push without a cluster stays the gateway's.
  ASSERT_EQ(overriding->Handle(http::Request("PUT", "/metrics/job/k", kTmBody, {})).status, 200);
  RecordingSink sink;
  overriding->Replay(sink, now_ms_);
  ASSERT_EQ(sink.samples.size(), 4u);
  size_t named = 0;
  for (const RecordedSample& s : sink.samples) {
    EXPECT_FALSE(s.labels.contains("cluster")) << s.metric;
    if (absl::StrContains(s.source, "job=\"j\"")) {
      EXPECT_EQ(s.cluster, "yarn-prod-1.a_b") << s.metric;  // as pushed, not filtered
      ++named;
    } else {
      EXPECT_EQ(s.cluster, "") << s.metric;
    }
  }
  EXPECT_EQ(named, 2u);
  EXPECT_EQ(metrics_.cluster_ignored("pushgateway"), 0);
}

TEST_F(PushgatewayReceiverTest, ABadPushedClusterIsRefusedNamingTheLabelWhateverTheSetting) {
  std::unique_ptr<PushgatewayReceiver> overriding = Overriding();
  const std::string longest(128, 'c');
  const struct {
    std::string path;
    std::string reason;
  } cases[] = {
      {"/metrics/job/j/cluster/" + std::string(129, 'c'), "longer than 128 bytes"},
      {"/metrics/job/j/cluster/k8s%20prod", "a cluster name has only letters"},
      {"/metrics/job/j/cluster/k8s:prod", "a cluster name has only letters"},
      {"/metrics/job/j/cluster/k8s%22prod", "a cluster name has only letters"},
      {"/metrics/job/j/cluster/k8s-pr%C3%B6d", "a cluster name has only letters"},
      {"/metrics/job/j/cluster/k8s+prod", "a cluster name has only letters"},
      // "k8s\nprod" and "" in base64, as a client must send them.
      {"/metrics/job/j/cluster@base64/azhzCnByb2Q", "a cluster name has only letters"},
      {"/metrics/job/j/cluster@base64/=", "empty"},
  };
  double refused = 0;
  for (const auto& c : cases) {
    for (PushgatewayReceiver* receiver : {&receiver_, overriding.get()}) {
      http::Response r = receiver->Handle(http::Request("PUT", c.path, kTmBody, {}));
      EXPECT_EQ(r.status, 400) << c.path;
      EXPECT_THAT(r.body, HasSubstr("invalid Pushgateway path: label cluster: " + c.reason))
          << c.path;
      ++refused;
    }
  }
  EXPECT_EQ(store_.size(), 0u);  // nothing was taken
  EXPECT_EQ(metrics_.rejected("pushgateway", "bad_path"), refused);
  EXPECT_EQ(metrics_.received("pushgateway"), 0);
  // The bounds themselves are fine: 128 bytes, and letters, digits, _ - .
  EXPECT_EQ(Send("PUT", "/metrics/job/j/cluster/" + longest, kTmBody).status, 200);
  EXPECT_EQ(Send("PUT", "/metrics/job/k/cluster/K8s_prod-eu.1", kTmBody).status, 200);
}

}  // namespace
}  // namespace vitals::gateway
