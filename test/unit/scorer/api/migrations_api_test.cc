// GET and POST /api/v1/jobs/<job>/migrations: recorded migrations are
// listed oldest first, and each recording is announced with the job's
// stable key (the scorer writes the job's state on it). Hostile input is
// refused without a trace, a job keeps a bounded number of migrations, the
// lists are paged and answers are gzipped for clients that accept it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/gzip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "prometheus/registry.h"
#include "scorer/api/jobs_api.h"
#include "test/unit/scorer/api/api_response.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::ErrorOf;
using testing::HeaderOf;

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

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
      registry_.Add("acme/orders", b, 0);
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
    registry.Add("Fraud__detection_v2", b, 0);
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

// A registry with a few jobs and a clock at a realistic now, for what
// depends on the time window and on paging.
class BoundedApiTest : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1'700'000'000'000;

  BoundedApiTest()
      : registry_(&config_, &metrics_),
        api_(
            &registry_, [] { return kNow; },
            [this](const std::string& key) { announced_.push_back(key); }) {
    for (const char* name : {"orders", "payments", "ledger"}) {
      testing::SyntheticJob job;
      job.job_name = name;
      for (v1::MetricBatch& b : testing::MakeInterval(job, kNow - 60'000)) {
        registry_.Add(name, b, 0);
      }
    }
  }

  http::Response Call(std::string_view method, std::string_view target, std::string_view body = {},
                      std::vector<std::pair<std::string_view, std::string_view>> headers = {}) {
    return api_.Handle(http::Request(method, target, body, std::move(headers)));
  }
  http::Response Post(std::string_view body) {
    return Call("POST", "/api/v1/jobs/orders/migrations", body);
  }
  v1::MigrationList Listed(std::string_view query = {}) {
    http::Response r = Call("GET", absl::StrCat("/api/v1/jobs/orders/migrations", AsAbsl(query)));
    EXPECT_EQ(r.status, 200) << r.body;
    v1::MigrationList list;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) << r.body;
    return list;
  }
  double Collected(std::string_view name) {
    for (const prometheus::MetricFamily& family : metrics_.Collect()) {
      if (family.name == name && !family.metric.empty()) return family.metric[0].counter.value;
    }
    return -1;
  }

  ScoringConfig config_;
  prometheus::Registry metrics_;
  JobRegistry registry_;
  std::vector<std::string> announced_;
  JobsApi api_;
};

TEST_F(BoundedApiTest, HostileMigrationsAreRefusedNamingTheFieldAndChangeNothing) {
  const std::string huge(4 << 20, 'a');
  const struct {
    std::string body;
    int status;
    std::string field;
  } cases[] = {
      {R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": -1})", 400, "at:"},
      {absl::StrCat(R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )",
                    std::numeric_limits<int64_t>::max(), "}"),
       400, ""},
      {absl::StrCat(R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": ")",
                    std::numeric_limits<int64_t>::max(), "\"}"),
       400, "at:"},
      {absl::StrCat(R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )",
                    kNow - 31 * 86'400'000LL, "}"),
       400, "at:"},
      {absl::StrCat(R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )", kNow + 7'200'000,
                    "}"),
       400, "at:"},
      {absl::StrCat(R"({"from": ")", huge, R"(", "to": "k8s-prod-eu"})"), 413, "body:"},
      {absl::StrCat(R"({"from": ")", std::string(kMaxClusterNameBytes + 1, 'a'),
                    R"(", "to": "k8s-prod-eu"})"),
       400, "from:"},
      {R"({"from": "yarn\"prod", "to": "k8s-prod-eu"})", 400, "from:"},
      {R"({"from": "yarn-prod-1", "to": "k8s\nprod"})", 400, "to:"},
      {R"({"from": "yarn-prod-1", "to": "k8s prod"})", 400, "to:"},
      {R"({"from": "yarn-prod-1", "to": "k8s-pröd"})", 400, "to:"},
      {R"({"from": "yarn-prod-1"})", 400, "to:"},
      {R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "by": "me"})", 400, "body:"},
      {"not json", 400, "body:"},
  };
  for (const auto& c : cases) {
    const http::Response r = Post(c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 200) << " -> " << r.body;
    EXPECT_THAT(ErrorOf(r), StartsWith(c.field)) << c.body.substr(0, 200);
    EXPECT_LT(r.body.size(), 1024u) << "the error does not echo the input";
  }
  EXPECT_EQ(Listed().migrations_size(), 0);
  EXPECT_TRUE(announced_.empty());

  // The window's edges and cluster names as clusters are named are fine.
  EXPECT_EQ(Post(absl::StrCat(R"({"from": "yarn-prod-1.dc_2", "to": "k8s-prod-eu", "at": )",
                              kNow - 30 * 86'400'000LL, "}"))
                .status,
            201);
  EXPECT_EQ(Post(absl::StrCat(R"({"from": "k8s-prod-eu", "to": "yarn-prod-1", "at": ")",
                              kNow + 3'600'000, "\"}"))
                .status,
            201);
  EXPECT_EQ(Listed().migrations_size(), 2);
}

TEST_F(BoundedApiTest, AThousandPostsKeepTheNewestMigrationsOnly) {
  constexpr int kPosts = 1000;
  for (int i = 0; i < kPosts; ++i) {
    const http::Response r = Post(absl::StrCat(
        R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )", kNow - kPosts + i, "}"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  EXPECT_EQ(announced_.size(), static_cast<size_t>(kPosts));
  const http::Response r = Call("GET", "/api/v1/jobs/orders/migrations");
  ASSERT_EQ(r.status, 200);
  EXPECT_LT(r.body.size(), 8u * 1024) << "small whatever was posted";
  const v1::MigrationList list = Listed();
  ASSERT_EQ(list.migrations_size(), static_cast<int>(kMaxMigrationsPerJob));
  EXPECT_EQ(list.migrations(0).at(), kNow - static_cast<int64_t>(kMaxMigrationsPerJob));
  EXPECT_EQ(list.migrations(list.migrations_size() - 1).at(), kNow - 1);
  EXPECT_EQ(registry_.migrations_dropped(), kPosts - kMaxMigrationsPerJob);
  EXPECT_EQ(Collected("vitals_scorer_migrations_dropped_total"),
            static_cast<double>(kPosts - kMaxMigrationsPerJob));
  // The state record carries the same bounded list.
  std::optional<OwnedState> state = registry_.State("orders");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->state.migrations_size(), static_cast<int>(kMaxMigrationsPerJob));
}

TEST_F(BoundedApiTest, ARestoredRecordWithTooManyMigrationsIsCappedAndCounted) {
  v1::JobState state;
  state.set_job_name("restored");
  for (int i = 0; i < 40; ++i) {
    v1::Migration* m = state.add_migrations();
    m->set_from("yarn-prod-1");
    m->set_to("k8s-prod-eu");
    m->set_at(kNow - 40 + i);
  }
  ASSERT_TRUE(registry_.Restore("restored", 0, state, kNow));
  std::optional<v1::MigrationList> list = registry_.Migrations("restored");
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->migrations_size(), static_cast<int>(kMaxMigrationsPerJob));
  EXPECT_EQ(list->migrations(0).at(), kNow - static_cast<int64_t>(kMaxMigrationsPerJob));
  EXPECT_EQ(registry_.migrations_dropped(), 40 - kMaxMigrationsPerJob);
}

TEST_F(BoundedApiTest, ListsArePagedWithATotalAndALinkToTheNextPage) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Post(absl::StrCat(R"({"from": "a", "to": "b", "at": )", kNow - 10 + i, "}")).status,
              201);
  }
  http::Response r = Call("GET", "/api/v1/jobs/orders/migrations?limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Total-Count"), "5");
  EXPECT_EQ(HeaderOf(r, "Link"),
            R"(</api/v1/jobs/orders/migrations?limit=2&offset=2>; rel="next")");
  v1::MigrationList list = Listed("?limit=2&offset=4");
  ASSERT_EQ(list.migrations_size(), 1);
  EXPECT_EQ(list.migrations(0).at(), kNow - 6);
  r = Call("GET", "/api/v1/jobs/orders/migrations?limit=2&offset=4");
  EXPECT_EQ(HeaderOf(r, "Link"), "");
  EXPECT_EQ(Listed("?offset=9").migrations_size(), 0);

  // Jobs: worst first, the other parameters kept in the link.
  r = Call("GET", "/api/v1/jobs?max_score=11&limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Total-Count"), "0") << "nothing graded yet";
  registry_.EvaluateAll(kNow + 3'600'000);
  r = Call("GET", "/api/v1/jobs?cluster=&limit=2");
  v1::JobList jobs;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &jobs).ok()) << r.body;
  const int graded = std::stoi(HeaderOf(r, "X-Total-Count"));
  EXPECT_EQ(jobs.jobs_size(), std::min(graded, 2));
  if (graded > 2) {
    EXPECT_EQ(HeaderOf(r, "Link"), R"(</api/v1/jobs?cluster=&limit=2&offset=2>; rel="next")");
  }

  // History: points paged, oldest first.
  v1::JobState state;
  state.set_job_name("restored");
  for (int i = 0; i < 50; ++i) state.add_history()->set_at_ms(kNow - 50'000 + i * 1000);
  ASSERT_TRUE(registry_.Restore("restored", 0, state, kNow));
  r = Call("GET", "/api/v1/jobs/restored/history?limit=20&offset=40");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "X-Total-Count"), "50");
  v1::JobHistory history;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &history).ok()) << r.body;
  ASSERT_EQ(history.points_size(), 10);
  EXPECT_EQ(history.points(0).at_ms(), kNow - 10'000);

  for (const char* bad : {"?limit=0", "?limit=-1", "?limit=x", "?offset=-2", "?offset=1.5"}) {
    r = Call("GET", absl::StrCat("/api/v1/jobs/orders/migrations", bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_THAT(ErrorOf(r), AnyOf(StartsWith("limit:"), StartsWith("offset:"))) << bad;
  }
  // More than a page's worth is not an error: the page is capped.
  EXPECT_EQ(Call("GET", "/api/v1/jobs/orders/migrations?limit=1000000").status, 200);
}

TEST_F(BoundedApiTest, AnswersAreGzippedForClientsThatAcceptIt) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Post(absl::StrCat(R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": )",
                                kNow - 100 + i, "}"))
                  .status,
              201);
  }
  const http::Response plain = Call("GET", "/api/v1/jobs/orders/migrations");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
  EXPECT_EQ(HeaderOf(plain, "Vary"), "Accept-Encoding");

  const http::Response zipped = Call("GET", "/api/v1/jobs/orders/migrations", {},
                                     {{"Accept-Encoding", "deflate, gzip;q=0.5"}});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(HeaderOf(zipped, "Content-Encoding"), "gzip");
  EXPECT_LT(zipped.body.size(), plain.body.size());
  absl::StatusOr<std::string> unzipped = http::Gunzip(zipped.body, 1 << 20);
  ASSERT_TRUE(unzipped.ok()) << unzipped.status();
  EXPECT_EQ(*unzipped, plain.body);

  // Errors too, when large enough; q=0 is a refusal.
  EXPECT_EQ(
      HeaderOf(Call("GET", "/api/v1/jobs/orders/migrations", {}, {{"Accept-Encoding", "gzip;q=0"}}),
               "Content-Encoding"),
      "");
  EXPECT_TRUE(http::AcceptsGzip("GZIP"));
  EXPECT_TRUE(http::AcceptsGzip("br, *"));
  EXPECT_TRUE(http::AcceptsGzip("x-gzip;q=0.1"));
  EXPECT_FALSE(http::AcceptsGzip(""));
  EXPECT_FALSE(http::AcceptsGzip("identity, gzip;q=0.0"));
  EXPECT_FALSE(http::AcceptsGzip("gzipx"));
}

}  // namespace
}  // namespace vitals::scorer
