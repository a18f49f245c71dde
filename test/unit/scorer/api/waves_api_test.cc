// POST, GET /api/v1/waves and GET /api/v1/waves/<wave> on one replica: a
// wave is checked before anything is written, written to the waves topic
// (the embedded Kafka), recorded at once on the jobs this replica owns, and
// judged from each job's owner — the registry for its own jobs, another
// replica's rollback endpoint (with the client's Authorization) for the
// others, insufficient_data when that replica cannot be reached.

#include "scorer/api/waves_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/kafka/embedded_cluster.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/waves/wave_verdict.h"
#include "test/unit/scorer/api/api_response.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::ErrorOf;
using testing::HeaderOf;
using testing::Parse;

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;
constexpr int64_t kNow = kT0 + 60'000;
constexpr char kSelf[] = "http://scorer-a.scorer:9095";

std::string Report(const std::string& job, const std::string& cluster) {
  v1::HealthReport r;
  r.set_job_name(job);
  r.set_cluster(cluster);
  r.set_score(8);
  r.set_evaluated_at_ms(kNow - 1000);
  return r.SerializeAsString();
}

class WavesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("vitals.scorer.waves", 1).ok());
    writer_ = std::make_unique<WaveWriter>(
        kafka::Properties{{"bootstrap.servers", cluster_->bootstrap_servers()}},
        "vitals.scorer.waves", absl::Seconds(10));
    ASSERT_TRUE(writer_->Start().ok());

    // This replica owns `orders`, on Yarn.
    testing::SyntheticJob job;
    job.job_name = "orders";
    job.cluster = "yarn-prod-1";
    job.interval_ms = kInterval;
    for (int i = 0; i < 3; ++i) {
      const int64_t start = kT0 + i * kInterval;
      for (v1::MetricBatch& b : testing::MakeInterval(job, start)) {
        registry_.Add("orders", b, 0, start + kInterval);
      }
      registry_.EvaluateAll(start + 2 * kInterval);
    }

    WavesApi::Parts parts;
    parts.registry = &registry_;
    parts.fleet = &fleet_;
    parts.book = &book_;
    parts.writer = writer_.get();
    parts.recorder = &recorder_;
    parts.caught_up = [this] { return caught_up_.load(); };
    parts.self_url = [] { return std::string(kSelf); };
    api_ = std::make_unique<WavesApi>(std::move(parts), [] { return kNow; });
  }

  http::Response Call(std::string_view method, std::string_view target, std::string_view body = {},
                      std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    return api_->Handle(http::Request(method, target, body, std::move(headers)));
  }

  // A body for wave `name` of `jobs`.
  static std::string Body(const std::string& name, const std::vector<std::string>& jobs,
                          int64_t at = kNow - 5000) {
    return absl::StrCat(
        R"({"name": ")", name, R"(", "from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )", at,
        R"(, "jobs": [)",
        absl::StrJoin(
            jobs, ", ",
            [](std::string* out, const std::string& j) { absl::StrAppend(out, "\"", j, "\""); }),
        "]}");
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<WaveWriter> writer_;
  ScoringConfig config_;
  JobRegistry registry_{&config_};
  FleetView fleet_{absl::Hours(1)};
  WaveBook book_;
  std::vector<std::string> announced_;
  WaveRecorder recorder_{
      OwnedJobs{[this](const std::string& job) { return registry_.Migrations(job); },
                [this](const std::string& job, const v1::Migration& m) {
                  return registry_.AddMigration(job, m);
                }},
      [this](const std::string& key) { announced_.push_back(key); }};
  std::atomic<bool> caught_up_{true};
  std::unique_ptr<WavesApi> api_;
};

TEST_F(WavesApiTest, BadWavesAreRefusedAndNothingIsRecorded) {
  const struct {
    std::string body;
    int status;
    std::string error;
  } cases[] = {
      {std::string(kMaxWaveBodyBytes + 1, ' '), 413, "body: over"},
      {R"({"name": "w1", "color": "red"})", 400, "body: expected"},
      {Body("w 1", {"orders"}), 400, "name: a wave name has only"},
      {Body(std::string(129, 'w'), {"orders"}), 400, "name: longer than 128 bytes"},
      {Body("w1", {"orders"}, kNow - 31LL * 24 * 3600 * 1000), 400, "at: more than"},
      {Body("w1", {}), 400, "jobs: required"},
      {Body("w1", {"orders", "orders"}), 400, "jobs: orders named twice"},
      {Body("w1", {""}), 400, "jobs: a job name is"},
      {R"({"name": "w1", "from": "yarn-prod-1", "to": "yarn-prod-1", "jobs": ["orders"]})", 400,
       "to: the same as from"},
      {R"({"name": "w1", "from": "yarn prod", "to": "k8s-prod-eu", "jobs": ["orders"]})", 400,
       "from:"},
      {R"({"name": "w1", "from": "yarn-prod-1", "to": "k8s-prod-eu", "jobs": ["orders"],
           "selector": {"cluster": "yarn-prod-1"}})",
       400, "selector: either jobs or a selector"},
      {R"({"name": "w1", "from": "yarn-prod-1", "to": "k8s-prod-eu", "selector": {}})", 400,
       "selector: give"},
      {R"({"name": "w1", "from": "yarn-prod-1", "to": "k8s-prod-eu",
           "selector": {"cluster": "mesos-1"}})",
       400, "selector: matches no job"},
      {R"({"name": "w1", "from": "yarn-prod-1", "to": "k8s-prod-eu", "jobs": ["orders"],
           "recordedAtMs": 5})",
       400, "recordedAtMs"},
  };
  for (const auto& c : cases) {
    http::Response r = Call("POST", "/api/v1/waves", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_THAT(ErrorOf(r), StartsWith(c.error)) << c.body;
  }
  std::vector<std::string> many;
  for (size_t i = 0; i <= kMaxWaveJobs; ++i) many.push_back(absl::StrCat("job-", i));
  http::Response r = Call("POST", "/api/v1/waves", Body("w1", many));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(ErrorOf(r), HasSubstr("at most 1000 per wave"));

  EXPECT_EQ(book_.size(), 0u);
  EXPECT_EQ(registry_.Migrations("orders")->migrations_size(), 0);
  EXPECT_TRUE(announced_.empty());
  EXPECT_EQ(Call("PUT", "/api/v1/waves", Body("w1", {"orders"})).status, 405);
  EXPECT_EQ(Call("DELETE", "/api/v1/waves/w1").status, 405);
}

TEST_F(WavesApiTest, AWaveIsRecordedOnOwnedJobsAndJudged) {
  http::Response r = Call("POST", "/api/v1/waves", Body("w1", {"orders", "clicks"}));
  ASSERT_EQ(r.status, 201) << r.body;
  const v1::Wave wave = Parse<v1::Wave>(r);
  EXPECT_EQ(wave.recorded_at_ms(), kNow);
  EXPECT_EQ(wave.jobs_size(), 2);
  // Recorded on the job this replica owns, and announced for the state topic.
  std::optional<v1::MigrationList> migrations = registry_.Migrations("orders");
  ASSERT_EQ(migrations->migrations_size(), 1);
  EXPECT_EQ(migrations->migrations(0).at(), kNow - 5000);
  EXPECT_EQ(migrations->migrations(0).to(), "k8s-prod-eu");
  EXPECT_THAT(announced_, ::testing::ElementsAre("orders"));

  // A retry gets the wave; another wave of that name is refused.
  r = Call("POST", "/api/v1/waves", Body("w1", {"orders", "clicks"}));
  EXPECT_EQ(r.status, 200) << r.body;
  r = Call("POST", "/api/v1/waves", Body("w1", {"orders"}));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(registry_.Migrations("orders")->migrations_size(), 1);

  // `orders` has no points on Kubernetes yet, `clicks` no report: hold.
  r = Call("GET", "/api/v1/waves/w1");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::WaveStatus status = Parse<v1::WaveStatus>(r);
  EXPECT_EQ(status.verdict(), kWaveHold);
  ASSERT_EQ(status.jobs_size(), 2);
  EXPECT_EQ(status.jobs(0).job_name(), "orders");
  EXPECT_EQ(status.jobs(0).verdict(), kVerdictInsufficientData);
  EXPECT_EQ(status.jobs(0).detail().migration().at(), kNow - 5000);
  EXPECT_EQ(status.jobs(1).verdict(), kVerdictInsufficientData);
  EXPECT_THAT(status.jobs(1).reasons(0), HasSubstr("no replica reports this job"));

  // `orders` goes back: rolled back, no longer counted against the wave.
  v1::Migration back;
  back.set_from("k8s-prod-eu");
  back.set_to("yarn-prod-1");
  back.set_at(kNow - 1000);
  ASSERT_TRUE(registry_.AddMigration("orders", back).ok());
  status = Parse<v1::WaveStatus>(Call("GET", "/api/v1/waves/w1"));
  EXPECT_EQ(status.jobs(0).verdict(), kVerdictRolledBack);
  EXPECT_EQ(status.verdict(), kWaveHold);  // `clicks` still unknown

  v1::WaveList list = Parse<v1::WaveList>(Call("GET", "/api/v1/waves"));
  ASSERT_EQ(list.waves_size(), 1);
  EXPECT_EQ(list.waves(0).name(), "w1");
}

TEST_F(WavesApiTest, AnUnknownWaveIs404OnceTheTopicIsRead) {
  EXPECT_EQ(Call("GET", "/api/v1/waves/nope").status, 404);
  caught_up_ = false;
  http::Response r = Call("GET", "/api/v1/waves/nope");
  EXPECT_EQ(r.status, 503);
  EXPECT_THAT(ErrorOf(r), HasSubstr("still reading"));
}

TEST_F(WavesApiTest, ASelectorPicksTheMatchingJobsOfTheFleet) {
  fleet_.Apply("clicks", Report("clicks", "yarn-prod-1"), "http://scorer-b:9095", kNow);
  fleet_.Apply("ledger", Report("ledger", "k8s-prod-eu"), "http://scorer-b:9095", kNow);
  http::Response r = Call("POST", "/api/v1/waves",
                          R"({"name": "q1", "from": "yarn-prod-1", "to": "k8s-prod-eu",
                              "selector": {"cluster": "yarn-prod-1"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  const v1::Wave wave = Parse<v1::Wave>(r);
  EXPECT_THAT(wave.jobs(), ::testing::ElementsAre("clicks", "orders"));
  EXPECT_EQ(wave.at(), kNow);  // absent: now
  EXPECT_EQ(wave.selector().cluster(), "yarn-prod-1");
}

TEST_F(WavesApiTest, ASelectorByJobLabelPicksOneQueue) {
  for (const auto& [job, queue] :
       {std::pair<const char*, const char*>{"clicks", "q1"}, {"ledger", "q2"}, {"views", "q1"}}) {
    v1::HealthReport report;
    ASSERT_TRUE(report.ParseFromString(Report(job, "yarn-prod-1")));
    (*report.mutable_job_labels())["queue"] = queue;
    fleet_.Apply(job, report.SerializeAsString(), "http://scorer-b:9095", kNow);
  }
  http::Response r = Call("POST", "/api/v1/waves",
                          R"({"name": "q1", "from": "yarn-prod-1", "to": "k8s-prod-eu",
                              "selector": {"labels": {"queue": "q1"}}})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(Parse<v1::Wave>(r).jobs(), ::testing::ElementsAre("clicks", "views"));
}

TEST_F(WavesApiTest, ThePlanOrdersTheFleetsJobsOfOneClusterAndQueue) {
  for (const auto& [job, queue, operators] :
       {std::tuple<const char*, const char*, int>{"clicks", "q1", 7},
        {"ledger", "q2", 1},
        {"views", "q1", 2}}) {
    v1::HealthReport report;
    ASSERT_TRUE(report.ParseFromString(Report(job, "yarn-prod-1")));
    report.set_state("running");
    report.set_grade("healthy");
    (*report.mutable_job_labels())["queue"] = queue;
    report.mutable_topology()->set_operators(static_cast<uint32_t>(operators));
    report.mutable_topology()->set_tasks(1);
    report.mutable_topology()->set_checkpointed_bytes(2048);
    fleet_.Apply(job, report.SerializeAsString(), "http://scorer-b:9095", kNow);
  }
  http::Response r = Call("GET", "/api/v1/waves/plan?cluster=yarn-prod-1&queue=q1&wave_size=1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(R"("checkpointedBytes":"2048")"));
  const v1::WavePlan plan = Parse<v1::WavePlan>(r);
  ASSERT_EQ(plan.jobs_size(), 2) << r.body;
  EXPECT_EQ(plan.jobs(0).job_name(), "views");
  EXPECT_EQ(plan.jobs(0).wave(), 1u);
  EXPECT_EQ(plan.jobs(1).job_name(), "clicks");
  EXPECT_EQ(plan.jobs(1).wave(), 2u);
  EXPECT_EQ(HeaderOf(r, "X-Total-Count"), "2");

  // The replica's own job is planned too (or held back, with the reason).
  const v1::WavePlan all =
      Parse<v1::WavePlan>(Call("GET", "/api/v1/waves/plan?cluster=yarn-prod-1"));
  EXPECT_EQ(all.jobs_size() + all.held_back_size(), 4);
  // Paged like every list.
  r = Call("GET", "/api/v1/waves/plan?cluster=yarn-prod-1&queue=q1&limit=1&offset=1");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Parse<v1::WavePlan>(r).jobs_size(), 1);
  EXPECT_EQ(Parse<v1::WavePlan>(r).jobs(0).job_name(), "clicks");

  const struct {
    std::string target;
    std::string error;
  } bad[] = {
      {"/api/v1/waves/plan", "cluster: required"},
      {"/api/v1/waves/plan?cluster=yarn-prod-1&wave_size=0", "wave_size: 1 to 1000"},
      {"/api/v1/waves/plan?cluster=yarn-prod-1&wave_size=x", "wave_size: 1 to 1000"},
      {"/api/v1/waves/plan?cluster=yarn-prod-1&criticality_label=a-b", "criticality_label:"},
      {"/api/v1/waves/plan?cluster=yarn-prod-1&limit=0", "limit:"},
  };
  for (const auto& c : bad) {
    r = Call("GET", c.target);
    EXPECT_EQ(r.status, 400) << c.target;
    EXPECT_THAT(ErrorOf(r), StartsWith(c.error)) << c.target;
  }
  EXPECT_EQ(Call("POST", "/api/v1/waves/plan", "{}").status, 405);
  // `plan` is the helper's, never a wave's name.
  r = Call("POST", "/api/v1/waves", Body("plan", {"orders"}));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(ErrorOf(r), StartsWith("name: `plan`"));
}

TEST_F(WavesApiTest, AnotherReplicasJobIsJudgedByItsOwner) {
  // The owner: answers the rollback verdict of `clicks` when asked with
  // the client's credentials.
  http::ServerOptions options;
  options.address = "127.0.0.1";
  http::Server owner(options);
  std::atomic<int> asked{0};
  owner.Route("GET", "/api/v1/jobs/clicks/rollback", [&](const http::Request& request) {
    ++asked;
    if (request.Header("Authorization") != "Basic dTpw") return http::Response::Text(401, "no");
    v1::RollbackVerdict v;
    v.set_verdict("rollback");
    v.add_reasons("median score 8.0 on yarn-prod-1 -> 3.0 on k8s-prod-eu");
    v.mutable_migration()->set_from("yarn-prod-1");
    v.mutable_migration()->set_to("k8s-prod-eu");
    v.mutable_migration()->set_at(kNow - 5000);
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(v, &json);
    return http::Response::Json(200, json);
  });
  ASSERT_TRUE(owner.Start().ok());
  const std::string owner_url = absl::StrCat("http://127.0.0.1:", owner.port());
  fleet_.Apply("clicks", Report("clicks", "yarn-prod-1"), owner_url, kNow);
  // A replica that is gone.
  fleet_.Apply("ledger", Report("ledger", "yarn-prod-1"), "http://127.0.0.1:1", kNow);

  ASSERT_EQ(Call("POST", "/api/v1/waves", Body("w1", {"orders", "clicks", "ledger"})).status, 201);
  http::Response r = Call("GET", "/api/v1/waves/w1", {}, {{"Authorization", "Basic dTpw"}});
  ASSERT_EQ(r.status, 200) << r.body;
  v1::WaveStatus status = Parse<v1::WaveStatus>(r);
  EXPECT_EQ(asked.load(), 1);
  ASSERT_EQ(status.jobs_size(), 3);
  EXPECT_EQ(status.jobs(1).verdict(), kVerdictRollback);
  EXPECT_THAT(status.jobs(1).reasons(0), HasSubstr("3.0 on k8s-prod-eu"));
  EXPECT_EQ(status.jobs(2).verdict(), kVerdictInsufficientData);
  EXPECT_THAT(status.jobs(2).reasons(0), HasSubstr("did not answer"));
  EXPECT_EQ(status.verdict(), kWaveRollback);
  EXPECT_THAT(status.rollback(), ::testing::ElementsAre("clicks"));

  // Without the client's credentials the owner refuses: no verdict.
  status = Parse<v1::WaveStatus>(Call("GET", "/api/v1/waves/w1"));
  EXPECT_EQ(status.jobs(1).verdict(), kVerdictInsufficientData);
  EXPECT_THAT(status.jobs(1).reasons(0), HasSubstr("answered 401"));
  EXPECT_EQ(status.verdict(), kWaveHold);
  EXPECT_TRUE(owner.Shutdown(absl::Now() + absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace vitals::scorer
