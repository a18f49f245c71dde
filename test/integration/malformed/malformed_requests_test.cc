// Bad input against a real `vitals gateway` process over loopback HTTP:
// 1,000 malformed Pushgateway and Influx requests of some thirty kinds,
// interleaved with good ones. Every bad request gets a 4xx that names the
// offending line (`line N:`) when the error is in the body, or the reason
// when it is the path, the encoding or the size; the process keeps running;
// and every good request's samples reach Kafka.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/base/strings.h"
#include "common/http/client.h"
#include "common/http/gzip.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "test/integration/support/gateway_process.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals {
namespace {

// Small limits, so that breaking them is cheap (see the config below).
constexpr size_t kMaxBodyBytes = 256 << 10;
constexpr size_t kMaxLineBytes = 4096;
constexpr size_t kMaxSeries = 1000;
constexpr int kMalformed = 1000;
constexpr int kGoodEvery = 10;  // one good request before every tenth bad one

constexpr char kOpenMetrics[] = "application/openmetrics-text; version=1.0.0";

struct Case {
  std::string kind;
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int status;
  std::string names;  // what the answer must say: `line N:` or the reason
  // The self-metric this refusal adds one to, when the test checks it.
  std::string counted_format;
  std::string counted_reason;
};

// Two good lines first, so that the bad one is line 3 and line numbers are
// shown to be counted, not assumed.
constexpr char kPromPrefix[] = "# TYPE vitals_test_ok gauge\nvitals_test_ok 1\n";
constexpr char kInfluxPrefix[] =
    "vitals_test_noise,host=h1 value=1\nvitals_test_noise,host=h1 value=2\n";

std::string PushPath(int i) { return absl::StrCat("/metrics/job/malformed_", i, "/instance/tm1"); }

Case Prom(std::string kind, int i, std::string bad_lines, std::string names = "line 3:") {
  return {std::move(kind),  "PUT", PushPath(i), kPromPrefix + bad_lines, {}, 400,
          std::move(names), "",    ""};
}

Case Influx(std::string kind, std::string bad_lines, std::string names = "line 3:") {
  return {std::move(kind),           "POST", "/write?db=flink",
          kInfluxPrefix + bad_lines, {},     400,
          std::move(names),          "",     ""};
}

std::string ManyPromSamples(size_t n) {
  std::string body = "# TYPE vitals_test_many gauge\n";
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&body, "vitals_test_many{i=\"", i, "\"} 1\n");
  return body;
}

std::string ManyInfluxPoints(size_t n) {
  std::string body;
  for (size_t i = 0; i < n; ++i) absl::StrAppend(&body, "vitals_test_many,i=", i, " value=1\n");
  return body;
}

std::vector<std::function<Case(int)>> MalformedKinds() {
  const std::string long_value(kMaxLineBytes + 100, 'x');
  return {
      // Prometheus text 0.0.4 bodies.
      [](int i) { return Prom("bad metric name", i, "3starts_with_a_digit 1\n"); },
      [](int i) { return Prom("unterminated label set", i, "m{a=\"1\" 1\n"); },
      [](int i) { return Prom("unterminated label value", i, "m{a=\"1} 1\n"); },
      [](int i) { return Prom("bad escape", i, "m{a=\"\\q\"} 1\n"); },
      [](int i) { return Prom("bad value", i, "m 1.2.3\n"); },
      [](int i) { return Prom("missing value", i, "m{a=\"1\"}\n"); },
      [](int i) { return Prom("duplicate labels", i, "m{a=\"1\",a=\"2\"} 1\n"); },
      [](int i) { return Prom("TYPE after samples", i, "# TYPE vitals_test_ok counter\n"); },
      [](int i) {
        return Prom("histogram bucket without le", i, "# TYPE h histogram\nh_bucket 1\n",
                    "line 4:");
      },
      [](int i) { return Prom("bad timestamp", i, "m 1 12x\n"); },
      [](int i) { return Prom("invalid UTF-8", i, "m{a=\"\xff\xfe\"} 1\n"); },
      [](int i) { return Prom("no newline at the end", i, "m 1"); },
      [long_value](int i) {
        Case c = Prom("line over max_line_bytes", i, "m{a=\"" + long_value + "\"} 1\n");
        c.counted_format = "pushgateway";
        c.counted_reason = "line_too_long";
        return c;
      },
      [](int i) {
        Case c = Prom("OpenMetrics without # EOF", i, "", "line 2:");
        c.body = "# TYPE a gauge\na 1\n";
        c.headers = {{"Content-Type", kOpenMetrics}};
        return c;
      },
      [](int i) {
        return Case{"too many series",
                    "PUT",
                    PushPath(i),
                    ManyPromSamples(kMaxSeries + 1),
                    {},
                    413,
                    "too many series",
                    "pushgateway",
                    "too_many_series"};
      },
      [](int i) {
        return Case{"bad @base64 path segment",
                    "PUT",
                    absl::StrCat("/metrics/job/malformed_", i, "/a@base64/!!!!"),
                    "m 1\n",
                    {},
                    400,
                    "invalid Pushgateway path",
                    "",
                    ""};
      },
      [](int i) {
        return Case{"odd number of path segments",
                    "PUT",
                    absl::StrCat("/metrics/job/malformed_", i, "/lonely"),
                    "m 1\n",
                    {},
                    400,
                    "invalid Pushgateway path",
                    "",
                    ""};
      },
      [](int i) {
        return Case{
            "bad gzip", "PUT", PushPath(i), "this is not gzip", {{"Content-Encoding", "gzip"}}, 400,
            "gzip",     "",    ""};
      },
      [](int i) {
        return Case{"gzip expanding past max_body_bytes",
                    "PUT",
                    PushPath(i),
                    http::Gzip(std::string(kMaxBodyBytes + 1024, '#')),
                    {{"Content-Encoding", "gzip"}},
                    413,
                    "expands beyond",
                    "",
                    ""};
      },
      [](int i) {
        return Case{"body over max_body_bytes",
                    "PUT",
                    PushPath(i),
                    std::string(kMaxBodyBytes + 1024, '#'),
                    {},
                    413,
                    "exceeds",
                    "",
                    ""};
      },
      // Influx line protocol bodies.
      [](int) { return Influx("escaped separator leaves no fields", "m,host=a\\ value=1\n"); },
      [](int) { return Influx("bad field type", "m value=abc\n"); },
      [](int) { return Influx("bad integer field", "m value=12i3\n"); },
      [](int) { return Influx("missing fields", "m,host=a\n"); },
      [](int) { return Influx("bad timestamp", "m value=1 12ab\n"); },
      [](int) { return Influx("unterminated string field", "m value=\"abc\n"); },
      [](int) { return Influx("invalid UTF-8 tag", "m,host=\xff value=1\n"); },
      [](int) { return Influx("duplicate tags", "m,a=1,a=2 value=1\n"); },
      [long_value](int) {
        Case c = Influx("line over max_line_bytes", "m,a=" + long_value + " value=1\n");
        c.counted_format = "influx";
        c.counted_reason = "line_too_long";
        return c;
      },
      [](int) {
        return Case{"too many series",
                    "POST",
                    "/write?db=flink",
                    ManyInfluxPoints(kMaxSeries + 1),
                    {},
                    413,
                    "too many series",
                    "influx",
                    "too_many_series"};
      },
      [](int) {
        return Case{"bad precision", "POST", "/write?db=flink&precision=xs",
                    "m value=1\n",   {},     400,
                    "precision",     "",     ""};
      },
      [](int) {
        return Case{"v2 precision of v1", "POST", "/api/v2/write?bucket=b&precision=n",
                    "m value=1\n",        {},     400,
                    "precision",          "",     ""};
      },
      [](int) {
        return Case{"missing database",     "POST", "/write", "m value=1\n", {}, 400,
                    "database is required", "",     ""};
      },
      [](int) {
        return Case{"missing bucket",     "POST", "/api/v2/write",
                    "m value=1\n",        {},     400,
                    "bucket is required", "",     ""};
      },
      [](int) {
        return Case{"unsupported encoding",
                    "POST",
                    "/write?db=flink",
                    "m value=1\n",
                    {{"Content-Encoding", "br"}},
                    415,
                    "Content-Encoding",
                    "",
                    ""};
      },
      [](int) {
        return Case{"bad gzip",
                    "POST",
                    "/write?db=flink",
                    "this is not gzip",
                    {{"Content-Encoding", "gzip"}},
                    400,
                    "gzip",
                    "",
                    ""};
      },
  };
}

// A good push per process as Flink's PrometheusPushGatewayReporter sends it.
std::pair<std::string, std::string> GoodPush(const std::string& job) {
  return {
      absl::StrCat("/metrics/job/", job, "/cluster/k8s-malformed"),
      absl::StrCat("# HELP flink_taskmanager_job_task_busyTimeMsPerSecond busyTimeMsPerSecond\n"
                   "# TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge\n"
                   "flink_taskmanager_job_task_busyTimeMsPerSecond{job_id=\"",
                   absl::StrFormat("%032x", std::hash<std::string>()(job)), "\",job_name=\"", job,
                   "\",task_name=\"map\",subtask_index=\"0\",host=\"h1\",tm_id=\"tm1\",} "
                   "400.0\n")};
}

// A good write as Flink's InfluxdbReporter sends it.
std::string GoodInflux(const std::string& job) {
  return absl::StrCat("taskmanager_job_task_busyTimeMsPerSecond,host=h1,job_id=",
                      absl::StrFormat("%032x", std::hash<std::string>()(job)), ",job_name=", job,
                      ",subtask_index=0,task_name=map,tm_id=tm1 value=400.0\n");
}

class MalformedRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(testing::VitalsBinary().empty());
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("flink.metrics", 1).ok());
    auto gateway = testing::GatewayProcess::Start(absl::StrCat("gateway:\n"
                                                               "  listen: 127.0.0.1:0\n"
                                                               "  statsd:\n"
                                                               "    listen: 127.0.0.1:0\n"
                                                               "  http:\n"
                                                               "    max_body_bytes: ",
                                                               kMaxBodyBytes,
                                                               "\n"
                                                               "    max_line_bytes: ",
                                                               kMaxLineBytes,
                                                               "\n"
                                                               "    max_series_per_request: ",
                                                               kMaxSeries,
                                                               "\n"
                                                               "  aggregation:\n"
                                                               "    interval: 2s\n"
                                                               "  kafka:\n"
                                                               "    properties:\n"
                                                               "      bootstrap.servers: ",
                                                               cluster_->bootstrap_servers(), "\n"),
                                                  absl::Seconds(30));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
  }

  // Job names of every MetricBatch on flink.metrics until `want` are all
  // seen or the deadline passes.
  std::set<std::string> ConsumeJobs(const std::set<std::string>& want, absl::Duration timeout) {
    auto consumer =
        kafka::KafkaConsumer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()},
                                      {"group.id", "malformed-check"},
                                      {"auto.offset.reset", "earliest"}},
                                     {"flink.metrics"});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::set<std::string> seen;
    if (!consumer.ok()) return seen;
    const absl::Time deadline = absl::Now() + timeout;
    auto all_seen = [&] {
      for (const std::string& job : want) {
        if (!seen.count(job)) return false;
      }
      return true;
    };
    while (!all_seen() && absl::Now() < deadline) {
      auto message = (*consumer)->Poll(absl::Milliseconds(200));
      if (!message.ok() || !message->has_value()) continue;
      v1::MetricBatch batch;
      if (batch.ParseFromString((*message)->value)) seen.insert(batch.job_name());
    }
    return seen;
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<testing::GatewayProcess> gateway_;
};

TEST_F(MalformedRequestsTest, ThousandBadRequestsAreRefusedByLineAndGoodOnesArrive) {
  const auto kinds = MalformedKinds();
  http::HttpClient client("127.0.0.1", static_cast<uint16_t>(gateway_->port()), absl::Seconds(30));
  std::set<std::string> good_jobs;
  std::map<std::pair<std::string, std::string>, int> counted;
  std::map<std::string, int> per_kind;
  int good = 0;
  for (int n = 0; n < kMalformed; ++n) {
    if (n % kGoodEvery == 0) {
      // Alternate the two formats.
      const bool push = (n / kGoodEvery) % 2 == 0;
      const std::string job = absl::StrCat(push ? "good_push_" : "good_influx_", good++);
      good_jobs.insert(job);
      if (push) {
        auto [path, body] = GoodPush(job);
        auto r = client.Send("PUT", path, body);
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_EQ(r->status, 200) << job << ": " << r->body;
      } else {
        auto r = client.Send("POST", "/write?db=flink&precision=ms", GoodInflux(job));
        ASSERT_TRUE(r.ok()) << r.status();
        ASSERT_EQ(r->status, 204) << job << ": " << r->body;
      }
    }
    const Case c = kinds[n % kinds.size()](n);
    ++per_kind[c.kind];
    auto r = client.Send(c.method, c.target, c.body, c.headers);
    ASSERT_TRUE(r.ok()) << "request " << n << " (" << c.kind << "): " << r.status()
                        << "\ngateway stderr:\n"
                        << gateway_->child().Stderr();
    EXPECT_EQ(r->status, c.status) << "request " << n << " (" << c.kind << "): " << r->body;
    EXPECT_GE(r->status, 400);
    EXPECT_LT(r->status, 500);
    EXPECT_THAT(r->body, ::testing::HasSubstr(c.names)) << "request " << n << " (" << c.kind << ")";
    if (!c.counted_reason.empty()) ++counted[{c.counted_format, c.counted_reason}];
  }
  EXPECT_EQ(good, kMalformed / kGoodEvery);
  for (const auto& [kind, n] : per_kind) EXPECT_GE(n, 20) << kind;

  // Still alive and well.
  auto health = client.Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);

  // Every good request's samples reach Kafka (pushes are replayed at each
  // interval, Influx points land in the interval they arrived in).
  const std::set<std::string> seen = ConsumeJobs(good_jobs, absl::Seconds(90));
  for (const std::string& job : good_jobs) EXPECT_TRUE(seen.count(job)) << job << " never arrived";

  // The limits are counted by reason.
  auto metrics = gateway_->Metrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  for (const auto& [key, n] : counted) {
    EXPECT_EQ(
        testing::SampleSum(*metrics, "vitals_gateway_rejected_total",
                           absl::StrCat("format=\"", key.first, "\",reason=\"", key.second, "\"")),
        n)
        << key.first << " " << key.second;
  }
  EXPECT_EQ(gateway_->child().Terminate(absl::Seconds(60)), std::optional<int>(0))
      << gateway_->child().Stderr();
}

}  // namespace
}  // namespace vitals
