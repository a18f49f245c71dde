// GET and POST /api/v1/jobs/<job>/migrations: recorded migrations are
// listed oldest first, and each recording is announced with the job's
// stable key (the scorer writes the job's state on it).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/api/jobs_api.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using ::testing::ElementsAre;

class MigrationsApiTest : public ::testing::Test {
 protected:
  MigrationsApiTest()
      : api_(
            &registry_, [] { return int64_t{42}; },
            [this](const std::string& key) { announced_.push_back(key); }) {
    testing::SyntheticJob job;
    job.job_name = "orders";
    job.job_id = "0123456789abcdef0123456789abcdef";
    for (v1::MetricBatch& b : testing::MakeInterval(job, 1'700'000'000'000)) {
      registry_.Add("acme/orders", std::move(b), 0);
    }
  }

  http::Response Call(std::string_view method, std::string_view path, std::string_view body = {}) {
    return api_.Handle(http::Request(method, path, body, {}));
  }

  ScoringConfig config_;
  JobRegistry registry_{&config_};
  std::vector<std::string> announced_;
  JobsApi api_;
};

TEST_F(MigrationsApiTest, RecordedMigrationsAreListedAndAnnounced) {
  http::Response r = Call("GET", "/api/v1/jobs/acme%2Forders/migrations");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::MigrationList list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) << r.body;
  EXPECT_EQ(list.migrations_size(), 0);

  r = Call("POST", "/api/v1/jobs/acme%2Forders/migrations",
           R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": 1000})");
  ASSERT_EQ(r.status, 201) << r.body;
  // By job id, and `at` defaults to now.
  r = Call("POST", "/api/v1/jobs/0123456789abcdef0123456789abcdef/migrations",
           R"({"from": "k8s-prod-eu", "to": "yarn-prod-1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_THAT(announced_, ElementsAre("acme/orders", "acme/orders"));

  r = Call("GET", "/api/v1/jobs/0123456789abcdef0123456789abcdef/migrations");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) << r.body;
  EXPECT_EQ(list.job_name(), "orders");
  ASSERT_EQ(list.migrations_size(), 2);
  EXPECT_EQ(list.migrations(0).from(), "yarn-prod-1");
  EXPECT_EQ(list.migrations(0).at(), 1000);
  EXPECT_EQ(list.migrations(1).at(), 42);
}

TEST_F(MigrationsApiTest, UnknownJobsAndBadRequestsAnnounceNothing) {
  EXPECT_EQ(Call("GET", "/api/v1/jobs/nope/migrations").status, 404);
  EXPECT_EQ(Call("POST", "/api/v1/jobs/nope/migrations", R"({"from": "a", "to": "b"})").status,
            404);
  EXPECT_EQ(Call("POST", "/api/v1/jobs/acme%2Forders/migrations", R"({"from": "a"})").status, 400);
  EXPECT_EQ(Call("DELETE", "/api/v1/jobs/acme%2Forders/migrations").status, 405);
  EXPECT_TRUE(announced_.empty());
}

// Jobs are known by their name as the gateway filtered it (every character
// outside [a-zA-Z0-9_] is '_'); the name as Flink writes it finds them too.
TEST(JobLookupTest, TheNameAsFlinkWritesItFindsTheFilteredJob) {
  ScoringConfig config;
  JobRegistry registry(&config);
  testing::SyntheticJob job;
  job.job_name = "Fraud__detection_v2";
  job.job_id = "0123456789abcdef0123456789abcdef";
  for (v1::MetricBatch& b : testing::MakeInterval(job, 1'700'000'000'000)) {
    registry.Add("Fraud__detection_v2", std::move(b), 0);
  }
  JobsApi api(
      &registry, [] { return int64_t{42}; }, [](const std::string&) {});
  const http::Response r =
      api.Handle(http::Request("GET", "/api/v1/jobs/Fraud%3A%20detection-v2/migrations", {}, {}));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(MigrationsApiTest, ErrorBodiesAreJsonWhateverTheNameHolds) {
  // A job name with a quote, a backslash and control characters, echoed in
  // the 404's message: the body must still be one JSON object.
  http::Response r = Call("GET", "/api/v1/jobs/a%22b%5Cc%01d%0Ae");
  EXPECT_EQ(r.status, 404);
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &body).ok()) << r.body;
  EXPECT_EQ(body.fields().at("error").string_value(),
            "no report for job a\"b\\c\x01"
            "d\ne");
}

}  // namespace
}  // namespace vitals::scorer
