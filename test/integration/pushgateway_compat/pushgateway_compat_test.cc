// The gateway as a drop-in Pushgateway: one sequence of PUT, POST and
// DELETE requests goes to Debian's real prometheus-pushgateway and to a real
// `vitals gateway` process; after each, both must have answered with the
// same status and must show the same groups, families and samples at
// `GET /api/v1/metrics`.
//
// Deliberately absent from the sequence, because the gateway differs on
// purpose or does not check (each is documented in
// gateway/receivers/pushgateway/README.md): sample timestamps and
// duplicate samples (the Pushgateway refuses both), families whose type
// clashes with the same family in another group (the Pushgateway refuses
// the push and marks the group failed), and `/metrics/job/` with an empty
// job (the Pushgateway's router redirects it).

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/strings.h"
#include "common/http/client.h"
#include "common/http/gzip.h"
#include "common/kafka/embedded_cluster.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"
#include "test/integration/pushgateway_compat/pushgateway_groups.h"
#include "test/integration/support/child_process.h"
#include "test/integration/support/gateway_process.h"

namespace vitals {
namespace {

constexpr char kPushgatewayBinary[] = "/usr/bin/prometheus-pushgateway";
constexpr char kOpenMetricsType[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// A port nobody listens on right now (the kernel's pick, released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// java.util.Base64.getUrlEncoder(), as the Prometheus Java client encodes
// `@base64` grouping values.
std::string Base64Url(std::string_view text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(text[i]) << 16) |
                       (static_cast<unsigned char>(text[i + 1]) << 8) |
                       static_cast<unsigned char>(text[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i < text.size()) {
    uint32_t v = static_cast<unsigned char>(text[i]) << 16;
    if (i + 1 < text.size()) v |= static_cast<unsigned char>(text[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < text.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

struct Request {
  std::string what;
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class PushgatewayCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPushgatewayBinary)) {
      GTEST_SKIP() << kPushgatewayBinary
                   << " is absent (apt-get install prometheus-pushgateway; scripts/setup does)";
    }
    ASSERT_FALSE(testing::VitalsBinary().empty());
    StartRealPushgateway();
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("flink.metrics", 1).ok());
    // A long interval and TTL: nothing expires while the test runs.
    auto gateway = testing::GatewayProcess::Start(absl::StrCat("gateway:\n"
                                                               "  listen: 127.0.0.1:0\n"
                                                               "  statsd:\n"
                                                               "    listen: 127.0.0.1:0\n"
                                                               "  pushgateway:\n"
                                                               "    group_ttl: 1h\n"
                                                               "  aggregation:\n"
                                                               "    interval: 60s\n"
                                                               "  kafka:\n"
                                                               "    properties:\n"
                                                               "      bootstrap.servers: ",
                                                               cluster_->bootstrap_servers(), "\n"),
                                                  absl::Seconds(30));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    real_client_ = std::make_unique<http::HttpClient>("127.0.0.1", real_port_, absl::Seconds(30));
    gateway_client_ =
        std::make_unique<http::HttpClient>("127.0.0.1", gateway_->port(), absl::Seconds(30));
  }

  void TearDown() override {
    if (gateway_) {
      EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
          << gateway_->child().Stderr();
    }
    if (real_) real_->Terminate(absl::Seconds(20));
  }

  void StartRealPushgateway() {
    real_port_ = FreePort();
    ASSERT_NE(real_port_, 0);
    // Debian's build persists to /var/lib/prometheus by default: an empty
    // --persistence.file keeps everything in memory.
    real_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        kPushgatewayBinary, absl::StrCat("--web.listen-address=127.0.0.1:", real_port_),
        "--persistence.file=", "--log.level=warn"});
    ASSERT_TRUE(real_->Start());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      auto ready = http::Fetch("GET", absl::StrCat("http://127.0.0.1:", real_port_, "/-/ready"), {},
                               {}, absl::Seconds(2));
      if (ready.ok() && ready->status == 200) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    FAIL() << "the real Pushgateway did not become ready: " << real_->Stderr();
  }

  // Sends `r` to both; their statuses must agree. Returns the status.
  int Send(const Request& r) {
    auto real = real_client_->Send(r.method, r.path, r.body, r.headers);
    auto ours = gateway_client_->Send(r.method, r.path, r.body, r.headers);
    EXPECT_TRUE(real.ok()) << r.what << ": " << real.status();
    EXPECT_TRUE(ours.ok()) << r.what << ": " << ours.status();
    if (!real.ok() || !ours.ok()) return -1;
    EXPECT_EQ(ours->status, real->status)
        << r.what << " " << r.method << " " << r.path << "\nreal Pushgateway: " << real->body
        << "\ngateway: " << ours->body;
    return real->status;
  }

  absl::StatusOr<testing::PushGroupsView> Groups(http::HttpClient& client) {
    auto response = client.Send("GET", "/api/v1/metrics");
    if (!response.ok()) return response.status();
    if (response->status != 200) {
      return absl::InternalError(absl::StrCat("/api/v1/metrics answered ", response->status));
    }
    return testing::ParsePushGroups(response->body);
  }

  // Both show the same groups; returns the real Pushgateway's.
  testing::PushGroupsView ExpectSameGroups(std::string_view after) {
    auto real = Groups(*real_client_);
    auto ours = Groups(*gateway_client_);
    EXPECT_TRUE(real.ok()) << real.status();
    EXPECT_TRUE(ours.ok()) << ours.status();
    if (!real.ok() || !ours.ok()) return {};
    for (const std::string& key : open_metrics_groups_) {
      if (real->count(key)) (*real)[key] = testing::WithoutCounterSuffixes((*real)[key]);
      if (ours->count(key)) (*ours)[key] = testing::WithoutCounterSuffixes((*ours)[key]);
    }
    EXPECT_EQ(testing::DiffPushGroups(*real, *ours), "")
        << "after " << after << " (expected: the real Pushgateway; actual: the gateway)";
    return *std::move(real);
  }

  // Sends, expects `status` from both, then compares the groups; returns
  // the real Pushgateway's, for checks that the comparison had something
  // to compare.
  testing::PushGroupsView Step(const Request& r, int status) {
    SCOPED_TRACE(r.what);
    EXPECT_EQ(Send(r), status) << r.what;
    return ExpectSameGroups(r.what);
  }

  bool HasGroup(http::HttpClient& client, const std::string& key) {
    auto groups = Groups(client);
    return groups.ok() && groups->count(key) > 0;
  }

  std::unique_ptr<testing::ChildProcess> real_;
  int real_port_ = 0;
  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<testing::GatewayProcess> gateway_;
  std::unique_ptr<http::HttpClient> real_client_;
  std::unique_ptr<http::HttpClient> gateway_client_;
  std::set<std::string> open_metrics_groups_;
};

constexpr char kFirstBody[] =
    "# HELP compat_requests Requests served.\n"
    "# TYPE compat_requests counter\n"
    "compat_requests{path=\"/a\"} 3\n"
    "compat_requests{path=\"/b\"} 4.0\n"
    "# TYPE compat_temperature gauge\n"
    "compat_temperature 21.5\n"
    "# TYPE compat_latency histogram\n"
    "compat_latency_bucket{le=\"0.1\"} 1\n"
    "compat_latency_bucket{le=\"1.0\"} 3\n"
    "compat_latency_bucket{le=\"+Inf\"} 4\n"
    "compat_latency_sum 2.5\n"
    "compat_latency_count 4\n"
    "# TYPE compat_duration summary\n"
    "compat_duration{quantile=\"0.5\"} 0.25\n"
    "compat_duration{quantile=\"0.99\"} 1.5\n"
    "compat_duration_sum 12\n"
    "compat_duration_count 30\n"
    "compat_untyped{kind=\"x\"} 7\n";

TEST_F(PushgatewayCompatTest, SameAnswersAndSameGroupsAsTheRealPushgateway) {
  const std::string group = "/metrics/job/compat/instance/tm1";

  const std::string key = "{instance=\"tm1\",job=\"compat\"}";
  // PUT creates a group.
  testing::PushGroupsView groups = Step({"PUT a group", "PUT", group, kFirstBody, {}}, 200);
  ASSERT_EQ(groups.size(), 1u);
  // 2 counter + 1 gauge + 3 buckets, sum, count + 2 quantiles, sum, count + 1 untyped.
  EXPECT_EQ(groups[key].samples.size(), 13u);
  EXPECT_EQ(groups[key].samples["compat_latency_bucket{instance=\"tm1\",job=\"compat\",le=\"1\"}"],
            "3");
  // POST adds a family and replaces one, keeping the others.
  groups = Step({"POST adding and replacing families",
                 "POST",
                 group,
                 "# TYPE compat_temperature gauge\n"
                 "compat_temperature{sensor=\"s2\"} 19\n"
                 "# TYPE compat_added gauge\n"
                 "compat_added 1\n",
                 {}},
                200);
  EXPECT_EQ(groups[key].family_types.size(), 6u);
  // A sample's own label that is also a grouping label yields to it.
  Step({"POST with a label the grouping key overrides",
        "POST",
        group,
        "compat_overridden{instance=\"elsewhere\",job=\"other\",kept=\"yes\"} 5\n",
        {}},
       200);
  // PUT replaces the whole group.
  groups = Step(
      {"PUT replacing a group", "PUT", group, "# TYPE compat_added gauge\ncompat_added 2\n", {}},
      200);
  EXPECT_EQ(groups[key].samples.size(), 1u);
  // A second group, then DELETE it; DELETE of a group that is not there.
  Step({"PUT a second group",
        "PUT",
        "/metrics/job/compat/instance/tm2",
        "compat_other{a=\"1\"} 1\n",
        {}},
       200);
  Step({"DELETE a group", "DELETE", "/metrics/job/compat/instance/tm2", "", {}}, 202);
  Step({"DELETE a group that does not exist", "DELETE", "/metrics/job/nobody/instance/x", "", {}},
       202);

  // @base64 grouping values: a job with '/', a value with '/', an empty
  // value (`=`), and an `instance` grouping label absent (so "" on samples).
  const std::string base64_group =
      absl::StrCat("/metrics/job@base64/", Base64Url("team/etl"), "/path@base64/",
                   Base64Url("/var/tmp"), "/empty@base64/=");
  Step({"PUT with @base64 grouping labels", "PUT", base64_group, "compat_b64 1\n", {}}, 200);
  // One group, whichever way its values are spelled in the path.
  Step({"PUT a group by plain path segments",
        "PUT",
        "/metrics/job/plain/region/eu-1",
        "compat_plain 2\n",
        {}},
       200);
  Step({"POST to the same group with every value @base64",
        "POST",
        absl::StrCat("/metrics/job@base64/", Base64Url("plain"), "/region@base64/",
                     Base64Url("eu-1")),
        "compat_plain_more 3\n",
        {}},
       200);

  // gzip body.
  Step({"POST a gzip body",
        "POST",
        "/metrics/job/gzipped",
        http::Gzip("# TYPE compat_zipped gauge\ncompat_zipped{x=\"1\"} 42\n"),
        {{"Content-Encoding", "gzip"}}},
       200);

  // OpenMetrics by Content-Type (the real Pushgateway reads it as text
  // 0.0.4, # EOF being a comment: see WithoutCounterSuffixes).
  open_metrics_groups_.insert("{job=\"openmetrics\"}");
  Step({"PUT an OpenMetrics body",
        "PUT",
        "/metrics/job/openmetrics",
        "# TYPE om_requests counter\n"
        "om_requests_total{path=\"/a\"} 7\n"
        "# TYPE om_temperature gauge\n"
        "om_temperature 21.5\n"
        "# TYPE om_latency histogram\n"
        "om_latency_bucket{le=\"0.5\"} 1\n"
        "om_latency_bucket{le=\"+Inf\"} 2\n"
        "om_latency_count 2\n"
        "om_latency_sum 0.75\n"
        "# EOF\n",
        {{"Content-Type", kOpenMetricsType}}},
       200);

  // Refusals leave every group as it was.
  const size_t before_refusals = ExpectSameGroups("the good requests").size();
  EXPECT_EQ(before_refusals, 5u);  // tm1, the @base64 one, plain, gzipped, openmetrics
  Step({"PUT an unparsable body", "PUT", group, "compat_bad{ 1\n", {}}, 400);
  Step({"PUT a body whose last line has no newline", "PUT", group, "compat_added 3", {}}, 400);
  Step({"PUT with an invalid @base64 value",
        "PUT",
        "/metrics/job/compat/a@base64/!!!!",
        "compat_added 3\n",
        {}},
       400);
  Step({"PUT with an odd number of path segments",
        "PUT",
        "/metrics/job/compat/lonely",
        "compat_added 3\n",
        {}},
       400);
  Step({"POST a body that is not gzip as gzip",
        "POST",
        group,
        "not gzip at all",
        {{"Content-Encoding", "gzip"}}},
       400);
  groups = Step({"PUT with a bad grouping label name",
                 "PUT",
                 "/metrics/job/compat/__reserved/1",
                 "compat_added 3\n",
                 {}},
                400);
  EXPECT_EQ(groups.size(), before_refusals);
}

// What Flink's PrometheusPushGatewayReporter sends: one PUT per process per
// interval to /metrics/job/<job><randomJobNameSuffix>/cluster/<c>, the
// simulator's rendering of its text, and a DELETE when a process shuts
// down gracefully (deleteOnShutdown).
TEST_F(PushgatewayCompatTest, FlinkReporterPushesAndDeleteOnShutdown) {
  sim::FleetSpec spec;
  spec.jobs = 2;
  spec.task_managers = 2;
  spec.nodes = 1;
  spec.parallelism = 2;
  spec.clusters = {"k8s-compat"};
  spec.start_ms = absl::ToUnixMillis(absl::Now()) - 600'000;
  ASSERT_TRUE(spec.reporter.random_job_name_suffix);
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();

  auto push_round = [&](std::string_view what) {
    std::vector<sim::Push> pushes;
    sim::RenderPushes(*fleet, &pushes);
    ASSERT_FALSE(pushes.empty());
    for (const sim::Push& p : pushes) {
      ASSERT_EQ(
          Send({std::string(what), p.method, p.path, p.body, {{"Content-Type", p.content_type}}}),
          200)
          << p.path;
    }
  };

  fleet->AdvanceTo(absl::ToUnixMillis(absl::Now()));
  push_round("first report");
  const size_t processes = 2 * (1 + spec.task_managers);
  const testing::PushGroupsView first = ExpectSameGroups("the first report of every process");
  EXPECT_EQ(first.size(), processes);
  for (const auto& [key, group] : first) {
    EXPECT_GT(group.samples.size(), 10u) << key;
    EXPECT_THAT(key, ::testing::HasSubstr("cluster=\"k8s-compat\""));
  }

  // The next report replaces each group with newer values.
  fleet->AdvanceTo(fleet->now_ms() + 10'000);
  push_round("second report");
  EXPECT_EQ(ExpectSameGroups("the second report").size(), processes);

  // A redeploy shuts the old processes down: each DELETEs its group.
  ASSERT_TRUE(fleet->Redeploy(0, "k8s-compat").ok());
  std::vector<sim::Push> deletes;
  sim::AppendPushDeletes(*fleet, fleet->TakeRetired(), &deletes);
  ASSERT_EQ(deletes.size(), 1u + spec.task_managers);
  for (const sim::Push& d : deletes) {
    EXPECT_EQ(Send({"deleteOnShutdown", d.method, d.path, "", {}}), 202) << d.path;
  }
  EXPECT_EQ(ExpectSameGroups("the DELETEs of a shut-down job").size(), processes - deletes.size());

  // The redeployed processes push under new suffixes.
  push_round("report after the redeploy");
  EXPECT_EQ(ExpectSameGroups("the redeployed job's first report").size(), processes);
}

}  // namespace
}  // namespace vitals
