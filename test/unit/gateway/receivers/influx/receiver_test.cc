#include "gateway/receivers/influx/receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/http/client.h"
#include "common/http/gzip.h"
#include "common/http/server.h"
#include "prometheus/registry.h"
#include "test/unit/gateway/receivers/test_support.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;

constexpr char kGood1[] =
    "taskmanager_job_task_operator_numRecordsIn,host=10.0.0.7,job_id=3f2a,job_name=orders,"
    "operator_name=Map,subtask_index=0,tm_id=tm-1 count=1234i 1700000000123000000";
constexpr char kGood2[] =
    "taskmanager_Status_JVM_CPU_Load,host=10.0.0.7,tm_id=tm-1 value=0.25 1700000000123000000";
// No timestamp: valid whatever the precision.
constexpr char kUntimed[] =
    "taskmanager_job_task_busyTimeMsPerSecond,host=10.0.0.7,job_id=3f2a,job_name=orders,"
    "subtask_index=0,task_name=Map,tm_id=tm-1 value=500";

class InfluxReceiverTest : public ::testing::Test {
 protected:
  InfluxReceiverTest() : metrics_(registry_) {}

  void Start(InfluxReceiverOptions options = {}) {
    receiver_ = std::make_unique<InfluxReceiver>(options, &sink_, &processes_, &metrics_,
                                                 [] { return int64_t{1'700'000'005'000}; });
    http::ServerOptions server_options;
    server_options.address = "127.0.0.1";
    server_ = std::make_unique<http::Server>(server_options);
    receiver_->Route(*server_);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<http::HttpClient>("127.0.0.1", server_->port());
  }

  http::ClientResponse Post(std::string_view target, std::string_view body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    absl::StatusOr<http::ClientResponse> r = client_->Send("POST", target, body, headers);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : http::ClientResponse{};
  }

  void TearDown() override {
    if (server_) EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
  }

  prometheus::Registry registry_;
  IngestMetrics metrics_;
  LockedRecordingSink sink_;
  ProcessJobTable processes_{ProcessJobTable::Options{}};
  std::unique_ptr<InfluxReceiver> receiver_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::HttpClient> client_;
};

TEST_F(InfluxReceiverTest, FlinksWriteIsAcceptedWith204) {
  Start();
  // What influxdb-java sends for Flink's InfluxdbReporter.
  http::ClientResponse r =
      Post("/write?db=flink&rp=&precision=n&consistency=one",
           std::string(kGood1) + "\n" + kGood2 + "\n" +
               "jobmanager_job_lastCheckpointExternalPath,host=10.0.0.5,job_id=3f2a,"
               "job_name=orders value=\"s3://ckpt/chk-7\" 1700000000123000000\n");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  const std::vector<RecordedSample> samples = sink_.samples();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].metric, "numRecordsIn");
  EXPECT_EQ(samples[0].source, "influx:127.0.0.1");
  EXPECT_EQ(samples[0].timestamp_ms, 1'700'000'005'000);
  // The TaskManager's CPU belongs to the job its own points (same host
  // and tm_id) name.
  EXPECT_EQ(samples[1].metric, "Status_JVM_CPU_Load");
  EXPECT_EQ(samples[1].job_name, "orders");
  EXPECT_EQ(metrics_.received("influx"), 3);
  EXPECT_EQ(processes_.counts().attributed, 1u);
  // A string gauge is valid line protocol but no number: skipped, counted.
  EXPECT_EQ(metrics_.rejected("influx", "invalid_value"), 1);
}

TEST_F(InfluxReceiverTest, BadLinesGet400NamingThemWhileGoodLinesAreKept) {
  Start();
  const std::string body = std::string(kGood1) + "\n" + "no_fields_here\n" + kGood2 + "\n" +
                           "m,tag=1 value=notanumber\n";
  http::ClientResponse r = Post("/api/v2/write?org=o&bucket=flink&precision=ns", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_THAT(r.body, HasSubstr("{\"code\":\"invalid\",\"message\":\"line 2: "));
  EXPECT_THAT(r.body, HasSubstr("; line 4: "));
  EXPECT_THAT(r.Header("X-Influxdb-Error"), HasSubstr("line 2: "));
  EXPECT_EQ(sink_.size(), 2u);
  EXPECT_EQ(metrics_.received("influx"), 2);
  EXPECT_EQ(metrics_.rejected("influx", "parse_error"), 2);
}

TEST_F(InfluxReceiverTest, TheListOfBadLinesIsCapped) {
  InfluxReceiverOptions options;
  options.max_errors_listed = 3;
  Start(options);
  std::string body;
  for (int i = 0; i < 15; ++i) body += "bad line\n";
  http::ClientResponse r = Post("/write?db=flink", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("line 3: "));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("line 4: ")));
  EXPECT_THAT(r.body, HasSubstr("and 12 more bad lines"));
  EXPECT_EQ(metrics_.rejected("influx", "parse_error"), 15);
}

TEST_F(InfluxReceiverTest, GzipBodiesAreDecodedWithinTheLimit) {
  InfluxReceiverOptions options;
  options.max_body_bytes = 4096;
  Start(options);
  http::ClientResponse r =
      Post("/write?db=flink&precision=ms", http::Gzip(kUntimed), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(sink_.size(), 1u);

  std::string big;
  while (big.size() < 8192) big += std::string(kGood2) + "\n";
  r = Post("/write?db=flink", http::Gzip(big), {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(metrics_.rejected("influx", "too_large"), 1);

  r = Post("/write?db=flink", "not gzip at all", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 400);
  r = Post("/write?db=flink", kGood2, {{"Content-Encoding", "br"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(metrics_.rejected("influx", "bad_encoding"), 2);
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(InfluxReceiverTest, RequestsWithoutDestinationOrWithBadParametersAreRefused) {
  Start();
  EXPECT_EQ(Post("/write", kUntimed).status, 400);
  http::ClientResponse r = Post("/api/v2/write?org=o", kUntimed);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("bucket is required"));
  // `us` is a v2 spelling; InfluxDB 1.x would silently read it as ns.
  EXPECT_EQ(Post("/write?db=flink&precision=us", kUntimed).status, 400);
  EXPECT_EQ(Post("/write?db=flink&consistency=most", kUntimed).status, 400);
  EXPECT_EQ(Post("/api/v2/write?bucket=b&precision=h", kUntimed).status, 400);
  EXPECT_EQ(metrics_.rejected("influx", "bad_request"), 5);
  EXPECT_EQ(sink_.size(), 0u);
  // Valid spellings.
  EXPECT_EQ(Post("/write?db=flink&precision=h&consistency=ALL", kUntimed).status, 204);
  EXPECT_EQ(Post("/api/v2/write?bucket=b&precision=s", kUntimed).status, 204);
}

TEST_F(InfluxReceiverTest, PingAnswers204) {
  Start();
  absl::StatusOr<http::ClientResponse> r = client_->Send("GET", "/ping");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->Header("X-Influxdb-Version"), "vitals");
}

TEST(InfluxReceiverOptions, ParsedFromYaml) {
  config::ConfigErrors errors;
  YAML::Node node = YAML::Load("max_errors_listed: 5\nmeter_counts: true\nmax_body: 1\n");
  config::YamlMap map(node, "gateway.influx", &errors);
  InfluxReceiverOptions options = ParseInfluxReceiverOptions(map);
  EXPECT_EQ(options.max_errors_listed, 5);
  EXPECT_TRUE(options.normalize.meter_counts);
  ASSERT_EQ(errors.errors().size(), 1u);
  EXPECT_THAT(errors.errors()[0], HasSubstr("gateway.influx.max_body"));
}

}  // namespace
}  // namespace vitals::gateway
