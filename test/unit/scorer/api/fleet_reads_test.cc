// Fleet-wide reads (scorer.fleet_reads): with a FleetView the API lists
// every job of the fleet once — this replica's from its registry, the
// others' as their owners last reported them — filters, sorts and pages
// them together, answers /jobs/<job> for any of them, and sends the per-job
// state questions (history, migrations, rollback) about a job owned
// elsewhere to its owner with a 307 that keeps the method, the body and the
// query. No redirect without a usable owner, nor back to this replica.
// Also the config side: the advertised URL and the follower's properties.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/api/jobs_api.h"
#include "scorer/fleet/fleet_view.h"
#include "scorer/scorer_config.h"
#include "test/unit/scorer/api/api_response.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::HeaderOf;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;
constexpr char kSelf[] = "http://scorer-a.scorer:9095";
constexpr char kOther[] = "http://scorer-b.scorer:9095";

std::vector<std::string> NamesOf(const http::Response& r) {
  v1::JobList list;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok()) << r.body;
  std::vector<std::string> out;
  for (const v1::HealthReport& report : list.jobs()) out.push_back(report.job_name());
  return out;
}

// A report another replica published on the health topic.
std::string Report(const std::string& job_name, double score, const std::string& cluster,
                   const std::string& tenant = "") {
  v1::HealthReport r;
  r.set_job_name(job_name);
  r.set_job_id(absl::StrCat("id-", job_name));
  r.set_tenant(tenant);
  r.set_cluster(cluster);
  r.set_score(score);
  r.set_grade(score < 4 ? "critical" : "healthy");
  r.set_state("running");
  r.set_evaluated_at_ms(kT0 + 50'000);
  return r.SerializeAsString();
}

class FleetReadsTest : public ::testing::Test {
 protected:
  FleetReadsTest()
      : api_(
            &registry_, [] { return kT0 + 60'000; },
            [this](const std::string& key) { announced_.push_back(key); }, &fleet_) {
    // This replica owns `orders` and grades it.
    testing::SyntheticJob job;
    job.job_name = "orders";
    job.job_id = "0123456789abcdef0123456789abcdef";
    job.cluster = "yarn-prod-1";
    job.interval_ms = kInterval;
    for (int i = 0; i < 3; ++i) {
      const int64_t start = kT0 + i * kInterval;
      for (v1::MetricBatch& b : testing::MakeInterval(job, start)) {
        (*b.mutable_job_labels())["team"] = "payments";
        registry_.Add("orders", b, 0, start + kInterval);
      }
      registry_.EvaluateAll(start + 2 * kInterval);
    }
    api_.set_self_url(kSelf);

    // What the health topic holds: the other replica's jobs, ...
    fleet_.Apply("clicks", Report("clicks", 2.5, "k8s-prod-eu"), kOther, kT0);
    fleet_.Apply("ledger", Report("ledger", 8, "yarn-prod-1"), kOther, kT0);
    fleet_.Apply("acme/billing", Report("billing", 6, "k8s-prod-eu", "acme"), kOther, kT0);
    // ... an older report of `orders` from before this replica took it
    // over (its registry's is the fresher), ...
    fleet_.Apply("orders", Report("orders", 1, "yarn-prod-1"), kOther, kT0);
    // ... and a job this replica let go of (its own last report).
    fleet_.Apply("payments", Report("payments", 5, "yarn-prod-1"), kSelf, kT0);
  }

  http::Response Call(std::string_view method, std::string_view target,
                      std::string_view body = {}) {
    return api_.Handle(http::Request(method, target, body, {}));
  }

  ScoringConfig config_;
  JobRegistry registry_{&config_};
  FleetView fleet_{absl::Hours(1)};
  std::vector<std::string> announced_;
  JobsApi api_;
};

TEST_F(FleetReadsTest, TheListHoldsEveryJobOfTheFleetOnce) {
  ASSERT_TRUE(registry_.Latest("orders").has_value());
  http::Response r = Call("GET", "/api/v1/jobs");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(NamesOf(r), UnorderedElementsAre("orders", "clicks", "ledger", "billing"));
  EXPECT_EQ(HeaderOf(r, "X-Total-Count"), "4");

  // `orders` as this replica graded it, not the stale report of the topic.
  v1::JobList list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &list).ok());
  for (const v1::HealthReport& report : list.jobs()) {
    if (report.job_name() != "orders") continue;
    EXPECT_EQ(report.evaluated_at_ms(), registry_.Latest("orders")->evaluated_at_ms());
    EXPECT_EQ(report.job_id(), "0123456789abcdef0123456789abcdef");
  }
}

TEST_F(FleetReadsTest, TheTeamFilterReadsTheJobLabelsOfOwnAndFleetReports) {
  // Another replica's job of the same team.
  v1::HealthReport ledger;
  ASSERT_TRUE(ledger.ParseFromString(Report("ledger", 8, "yarn-prod-1")));
  (*ledger.mutable_job_labels())["team"] = "payments";
  fleet_.Apply("ledger", ledger.SerializeAsString(), kOther, kT0 + 1);

  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?team=payments")),
              UnorderedElementsAre("orders", "ledger"));
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?team=web")), IsEmpty());
  // The owned job's report carries the labels its batches named.
  ASSERT_TRUE(registry_.Latest("orders").has_value());
  EXPECT_EQ(registry_.Latest("orders")->job_labels().at("team"), "payments");
}

TEST_F(FleetReadsTest, FiltersSortingAndPagingCoverTheWholeFleet) {
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?cluster=k8s-prod-eu")),
              UnorderedElementsAre("clicks", "billing"));
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?tenant=acme")), ElementsAre("billing"));
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?grade=critical")), ElementsAre("clicks"));
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?prefix=le")), ElementsAre("ledger"));
  EXPECT_THAT(NamesOf(Call("GET", "/api/v1/jobs?max_score=6")),
              UnorderedElementsAre("clicks", "billing"));

  // Worst first across replicas: the other replica's `clicks` leads.
  http::Response first = Call("GET", "/api/v1/jobs?limit=1");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(NamesOf(first), ElementsAre("clicks"));
  EXPECT_EQ(HeaderOf(first, "X-Total-Count"), "4");
  EXPECT_THAT(HeaderOf(first, "Link"), HasSubstr("limit=1&offset=1"));
  // The pages together are the fleet, each job once.
  std::multiset<std::string> paged;
  for (int offset = 0; offset < 4; ++offset) {
    for (const std::string& name :
         NamesOf(Call("GET", absl::StrCat("/api/v1/jobs?limit=1&offset=", offset)))) {
      paged.insert(name);
    }
  }
  EXPECT_THAT(paged, UnorderedElementsAre("orders", "clicks", "ledger", "billing"));
}

TEST_F(FleetReadsTest, AJobOwnedElsewhereIsReportedByNameAndById) {
  for (const char* target :
       {"/api/v1/jobs/clicks", "/api/v1/jobs/id-clicks", "/api/v1/jobs/acme%2Fbilling"}) {
    http::Response r = Call("GET", target);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    v1::HealthReport report;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &report).ok()) << r.body;
    EXPECT_EQ(report.cluster(), "k8s-prod-eu") << target;
  }
  // Its own job from its registry; a job it let go of and one nobody
  // reported are unknown.
  EXPECT_EQ(Call("GET", "/api/v1/jobs/orders").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/payments").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/nobody").status, 404);
}

TEST_F(FleetReadsTest, PerJobStateOfAJobOwnedElsewhereIsRedirectedToItsOwner) {
  struct Case {
    const char* method;
    const char* target;
    const char* body;
  };
  for (const Case& c : {
           Case{"GET", "/api/v1/jobs/clicks/history", ""},
           Case{"GET", "/api/v1/jobs/clicks/history?limit=5&offset=2", ""},
           Case{"GET", "/api/v1/jobs/id-clicks/migrations", ""},
           Case{"POST", "/api/v1/jobs/clicks/migrations",
                R"({"from": "yarn-prod-1", "to": "k8s-prod-eu", "at": 1700000000000})"},
           Case{"GET", "/api/v1/jobs/clicks/rollback", ""},
           Case{"GET", "/api/v1/jobs/acme%2Fbilling/history", ""},
       }) {
    http::Response r = Call(c.method, c.target, c.body);
    ASSERT_EQ(r.status, 307) << c.method << " " << c.target << ": " << r.body;
    // The same target, as sent, on the owner.
    const std::string location = absl::StrCat(kOther, c.target);
    EXPECT_EQ(HeaderOf(r, "Location"), location);
    google::protobuf::Struct body;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &body).ok()) << r.body;
    EXPECT_EQ(body.fields().at("location").string_value(), location);
  }
  // The owner records the migration: nothing here.
  EXPECT_THAT(announced_, IsEmpty());

  // This replica's own job is answered here.
  EXPECT_EQ(Call("GET", "/api/v1/jobs/orders/history").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/orders/migrations").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/orders/rollback").status, 200);
  // Bad requests are refused before any redirect.
  EXPECT_EQ(Call("GET", "/api/v1/jobs/clicks/history?limit=x").status, 400);
  EXPECT_EQ(Call("DELETE", "/api/v1/jobs/clicks/history").status, 405);
  EXPECT_EQ(Call("GET", "/api/v1/jobs/clicks/nonsense").status, 404);
}

TEST_F(FleetReadsTest, NoRedirectWithoutAUsableOwnerNorBackToItself) {
  // Reports without the header (an older scorer), with a URL that is not
  // one (a foreign producer), and this replica's own of a job it let go of.
  fleet_.Apply("old", Report("old", 7, "yarn-prod-1"), "", kT0);
  fleet_.Apply("odd", Report("odd", 7, "yarn-prod-1"), "ftp://scorer-b:9095", kT0);
  fleet_.Apply("spaced", Report("spaced", 7, "yarn-prod-1"), "http://scorer b:9095", kT0);
  fleet_.Apply("ctl", Report("ctl", 7, "yarn-prod-1"), "http://scorer-b:9095\r\nX: y", kT0);
  for (const char* job : {"old", "odd", "spaced", "ctl", "payments", "nobody"}) {
    for (const char* action : {"history", "migrations", "rollback"}) {
      http::Response r = Call("GET", absl::StrCat("/api/v1/jobs/", job, "/", action));
      EXPECT_EQ(r.status, 404) << job << "/" << action << ": " << r.body;
      EXPECT_EQ(HeaderOf(r, "Location"), "") << job;
    }
  }
  // The report of a job without an owner URL is still shown.
  EXPECT_EQ(Call("GET", "/api/v1/jobs/old").status, 200);
}

TEST_F(FleetReadsTest, WithoutItsOwnUrlYetItStillListsAndRedirects) {
  // Between the start of the follower and the server's bind.
  JobsApi api(
      &registry_, [] { return kT0 + 60'000; }, nullptr, &fleet_);
  http::Response r = api.Handle(http::Request("GET", "/api/v1/jobs", "", {}));
  // Not knowing which URL is its own, it cannot tell `payments` let go of.
  EXPECT_THAT(NamesOf(r),
              UnorderedElementsAre("orders", "clicks", "ledger", "billing", "payments"));
  r = api.Handle(http::Request("GET", "/api/v1/jobs/clicks/history", "", {}));
  EXPECT_EQ(r.status, 307);
  EXPECT_EQ(HeaderOf(r, "Location"), absl::StrCat(kOther, "/api/v1/jobs/clicks/history"));
}

TEST_F(FleetReadsTest, WithoutAFleetViewOnlyItsOwnJobsAreServed) {
  JobsApi api(&registry_, [] { return kT0 + 60'000; });
  EXPECT_THAT(NamesOf(api.Handle(http::Request("GET", "/api/v1/jobs", "", {}))),
              ElementsAre("orders"));
  for (const char* target : {"/api/v1/jobs/clicks", "/api/v1/jobs/clicks/history",
                             "/api/v1/jobs/clicks/migrations", "/api/v1/jobs/clicks/rollback"}) {
    EXPECT_EQ(api.Handle(http::Request("GET", target, "", {})).status, 404) << target;
  }
}

TEST(AdvertisedUrlTest, TheConfiguredUrlElseTheListenHostAndTheBoundPort) {
  ScorerConfig c;
  c.advertise_url = "https://scorer.example.com/vitals/";
  EXPECT_EQ(c.AdvertisedUrl(false, 9095), "https://scorer.example.com/vitals");

  c.advertise_url.clear();
  c.listen = "127.0.0.1:0";
  EXPECT_EQ(c.AdvertisedUrl(false, 41234), "http://127.0.0.1:41234");
  EXPECT_EQ(c.AdvertisedUrl(true, 41234), "https://127.0.0.1:41234");
  c.listen = "[::1]:9095";
  EXPECT_EQ(c.AdvertisedUrl(false, 9095), "http://[::1]:9095");

  // A wildcard is no address: the pod's IP (downward API), else the host
  // name.
  c.listen = "0.0.0.0:9095";
  ASSERT_EQ(setenv("POD_IP", "10.1.2.3", 1), 0);
  EXPECT_EQ(c.AdvertisedUrl(false, 9095), "http://10.1.2.3:9095");
  ASSERT_EQ(setenv("POD_IP", "fd00::17", 1), 0);
  EXPECT_EQ(c.AdvertisedUrl(false, 9095), "http://[fd00::17]:9095");
  ASSERT_EQ(unsetenv("POD_IP"), 0);
  const std::string url = c.AdvertisedUrl(false, 9095);
  EXPECT_TRUE(url.starts_with("http://")) << url;
  EXPECT_TRUE(url.ends_with(":9095")) << url;
  EXPECT_EQ(url.find("0.0.0.0"), std::string::npos) << url;
  EXPECT_GT(url.size(), std::string("http://:9095").size()) << url;
}

TEST(AdvertisedUrlTest, TheFollowerReadsOutsideTheReplicasGroup) {
  ScorerConfig c;
  c.kafka_properties = {{"bootstrap.servers", "kafka:9092"},
                        {"group.instance.id", "scorer-0"},
                        {"security.protocol", "SSL"}};
  const kafka::Properties p = c.FollowerProperties();
  EXPECT_EQ(p.at("bootstrap.servers"), "kafka:9092");
  EXPECT_EQ(p.at("security.protocol"), "SSL");
  EXPECT_FALSE(p.contains("group.instance.id"));
  EXPECT_EQ(p.at("client.id"), "vitals-scorer-health-follower");
}

}  // namespace
}  // namespace vitals::scorer
