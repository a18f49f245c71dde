// Two scorer replicas in one consumer group against one embedded Kafka
// split 100 jobs with no overlap; when one goes away (shut down, or killed
// without a goodbye) the other takes its jobs over and serves their
// history from before the failover and the migrations recorded on the
// replica that is gone, restored from the compacted state topic. With
// fleet reads (scorer.fleet_reads) either replica answers for the whole
// fleet: the same job list on both, any job's report, and a 307 to the
// owner for the per-job state of a job the other replica grades.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/scorer.h"
#include "scorer/state/kafka_changelog_reader.h"
#include "scorer/state/latest_states.h"
#include "test/integration/support/child_process.h"
#include "test/integration/support/interval_feeder.h"
#include "test/unit/scorer/model/synthetic_job.h"
#include "vitals/v1/health.pb.h"

namespace vitals {
namespace {

constexpr int kJobs = 100;
constexpr int kPartitions = 6;
constexpr int64_t kIntervalMs = 1000;
constexpr char kMetricsTopic[] = "flink.metrics";
constexpr char kHealthTopic[] = "flink.health";
constexpr char kStateTopic[] = "vitals.scorer.state";
// Generous: a loaded two-core machine, and the mock cluster waits
// session.timeout.ms - 1 s before it rebalances a group that grows.
constexpr absl::Duration kDeadline = absl::Seconds(90);

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string JobName(int i) {
  char name[16];
  std::snprintf(name, sizeof(name), "job_%03d", i);
  return name;
}

// Every job, published each interval as the gateways would, with a team.
std::unique_ptr<testing::IntervalFeeder> NewFeeder(kafka::KafkaProducer* producer) {
  std::vector<scorer::testing::SyntheticJob> jobs;
  std::map<std::string, std::string> teams;
  for (int i = 0; i < kJobs; ++i) {
    scorer::testing::SyntheticJob& job = jobs.emplace_back();
    job.job_name = JobName(i);
    job.job_id = absl::StrCat("00000000000000000000000000000", 100 + i);
    job.cluster = "yarn-prod-1";
    job.interval_ms = kIntervalMs;
    job.operators = 3;
    job.parallelism = 2;
    job.taskmanagers = 1;
    job.gateways = 1;
    job.checkpoint_every_ms = 500;
    teams[job.job_name] = absl::StrCat("team-", i % 4);
  }
  return std::make_unique<testing::IntervalFeeder>(
      producer, kMetricsTopic, kIntervalMs, jobs, [teams](v1::MetricBatch& batch) {
        (*batch.mutable_job_labels())["team"] = teams.at(batch.job_name());
      });
}

// One replica's HTTP API.
class ReplicaApi {
 public:
  explicit ReplicaApi(uint16_t port) : base_(absl::StrCat("http://127.0.0.1:", port)) {}

  // Names of the jobs it serves; empty when it does not answer.
  std::set<std::string> Jobs() const {
    std::set<std::string> out;
    v1::JobList list;
    if (!Get("/api/v1/jobs", &list)) return out;
    for (const v1::HealthReport& r : list.jobs()) out.insert(r.job_name());
    return out;
  }
  bool Get(const std::string& path, google::protobuf::Message* out) const {
    auto r = http::Fetch("GET", base_ + path);
    if (!r.ok() || r->status != 200) return false;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    return google::protobuf::util::JsonStringToMessage(r->body, out, options).ok();
  }
  int Post(const std::string& path, const std::string& body) const {
    auto r = http::Fetch("POST", base_ + path, body, {{"Content-Type", "application/json"}});
    return r.ok() ? r->status : -1;
  }
  std::string Metrics() const {
    auto r = http::Fetch("GET", base_ + "/metrics");
    return r.ok() ? r->body : "";
  }
  // The whole answer, redirects not followed.
  absl::StatusOr<http::ClientResponse> Fetch(const std::string& method, const std::string& path,
                                             const std::string& body = "") const {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http::Fetch(method, base_ + path, body, std::move(headers));
  }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
};

// What the test saw of a job on the replica that later goes away.
struct Before {
  std::set<int64_t> points;  // history at_ms
  v1::Migration migration;   // at() == 0: none recorded
};

class ScorerReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    // The state topic has as many partitions as the metrics topic (the
    // mock cluster cannot be told to compact it; the scorer does not
    // depend on compaction, only on the newest record per key winning).
    for (const char* topic : {kMetricsTopic, kHealthTopic, kStateTopic}) {
      ASSERT_TRUE(cluster_->CreateTopic(topic, kPartitions).ok()) << topic;
    }
    auto producer = kafka::KafkaProducer::Create(
        {{"bootstrap.servers", cluster_->bootstrap_servers()}, {"linger.ms", "5"}}, nullptr);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    feeder_ = NewFeeder(producer_.get());
    feeder_->Start();
  }

  void TearDown() override {
    if (feeder_) feeder_->Stop();
  }

  // The failover and expiry cases tell what each replica owns by its job
  // list, so they run without fleet reads (a replica then lists only its
  // own jobs) unless asked.
  scorer::ScorerConfig Config(const std::string& group, bool fleet_reads = false) const {
    scorer::ScorerConfig c;
    c.listen = "127.0.0.1:0";
    c.fleet_reads = fleet_reads;
    c.group_id = group;
    c.kafka_properties = {{"bootstrap.servers", cluster_->bootstrap_servers()},
                          {"session.timeout.ms", "4000"},
                          {"heartbeat.interval.ms", "500"}};
    c.tick = absl::Milliseconds(100);
    c.state_publish_interval = absl::Milliseconds(500);
    c.scoring.grace = absl::Seconds(1);
    c.scoring.warmup = absl::ZeroDuration();
    c.scoring.min_intervals = 1;
    return c;
  }

  // Waits until both replicas serve jobs, together all of them, none twice.
  void WaitForSplit(const ReplicaApi& a, const ReplicaApi& b, std::set<std::string>* a_jobs,
                    std::set<std::string>* b_jobs) {
    const absl::Time deadline = absl::Now() + kDeadline;
    while (absl::Now() < deadline) {
      *a_jobs = a.Jobs();
      *b_jobs = b.Jobs();
      std::set<std::string> all = *a_jobs;
      all.insert(b_jobs->begin(), b_jobs->end());
      if (!a_jobs->empty() && !b_jobs->empty() && all.size() == kJobs &&
          a_jobs->size() + b_jobs->size() == kJobs) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    ADD_FAILURE() << "no clean split: a serves " << a_jobs->size() << ", b serves "
                  << b_jobs->size();
  }

  // Records a migration on some of `victim`'s jobs and waits until every
  // one of its jobs has a few points of history there, then a couple more
  // evaluations so that the state writer (every 500 ms) has seen them.
  std::map<std::string, Before> PrepareVictim(const ReplicaApi& victim,
                                              const std::set<std::string>& jobs) {
    std::map<std::string, Before> before;
    int migrated = 0;
    for (const std::string& job : jobs) {
      Before& b = before[job];
      if (migrated >= 10) continue;
      ++migrated;
      b.migration.set_from("yarn-prod-1");
      b.migration.set_to("k8s-prod-eu");
      b.migration.set_at(NowMs() - 1000 * migrated);
      std::string body;
      EXPECT_TRUE(google::protobuf::util::MessageToJsonString(b.migration, &body).ok());
      EXPECT_EQ(victim.Post(absl::StrCat("/api/v1/jobs/", job, "/migrations"), body), 201) << job;
    }
    // Every job has a few points of history scored after the migrations.
    const int64_t mark = NowMs();
    const absl::Time deadline = absl::Now() + kDeadline;
    std::map<std::string, std::set<int64_t>> points;
    while (absl::Now() < deadline && !AllNewerThan(victim, before, mark, 3, &points)) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    int64_t newest = 0;
    for (auto& [job, b] : before) {
      b.points = points[job];
      EXPECT_GE(b.points.size(), 3u) << job;
      if (!b.points.empty()) newest = std::max(newest, *b.points.rbegin());
    }
    // The state writer coalesces to one record per job per 500 ms: two
    // more evaluations of every job make sure the points above were
    // written by the time the victim goes away.
    while (absl::Now() < deadline &&
           !AllNewerThan(victim, before, newest + 2 * kIntervalMs, 1, &points)) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    return before;
  }

  // Whether every job in `jobs` has at least `min_points` of history on
  // `replica` and a newest point at or after `at_ms`; fills `points`.
  static bool AllNewerThan(const ReplicaApi& replica, const std::map<std::string, Before>& jobs,
                           int64_t at_ms, int min_points,
                           std::map<std::string, std::set<int64_t>>* points) {
    for (const auto& [job, b] : jobs) {
      v1::JobHistory history;
      if (!replica.Get(absl::StrCat("/api/v1/jobs/", job, "/history"), &history)) return false;
      std::set<int64_t>& p = (*points)[job];
      p.clear();
      for (const v1::HistoryPoint& point : history.points()) p.insert(point.at_ms());
      if (static_cast<int>(p.size()) < min_points || *p.rbegin() < at_ms) return false;
    }
    return true;
  }

  // The survivor serves every job; the victim's with their history from
  // before and their migrations.
  void ExpectTakenOver(const ReplicaApi& survivor, const std::map<std::string, Before>& before) {
    const absl::Time deadline = absl::Now() + kDeadline;
    std::set<std::string> jobs;
    while (absl::Now() < deadline) {
      jobs = survivor.Jobs();
      if (jobs.size() == kJobs) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    ASSERT_EQ(jobs.size(), static_cast<size_t>(kJobs)) << "the survivor did not take over";
    int migrations_checked = 0;
    for (const auto& [job, b] : before) {
      v1::JobHistory history;
      ASSERT_TRUE(survivor.Get(absl::StrCat("/api/v1/jobs/", job, "/history"), &history)) << job;
      std::set<int64_t> points;
      for (const v1::HistoryPoint& p : history.points()) points.insert(p.at_ms());
      for (int64_t at : b.points) {
        EXPECT_TRUE(points.count(at)) << job << ": point at " << at << " from before the failover";
      }
      // It went on scoring after the takeover.
      EXPECT_GT(*points.rbegin(), *b.points.rbegin()) << job;

      v1::MigrationList migrations;
      ASSERT_TRUE(survivor.Get(absl::StrCat("/api/v1/jobs/", job, "/migrations"), &migrations));
      if (b.migration.at() == 0) {
        EXPECT_EQ(migrations.migrations_size(), 0) << job;
        continue;
      }
      ++migrations_checked;
      ASSERT_EQ(migrations.migrations_size(), 1) << job;
      EXPECT_EQ(migrations.migrations(0).from(), "yarn-prod-1");
      EXPECT_EQ(migrations.migrations(0).to(), "k8s-prod-eu");
      EXPECT_EQ(migrations.migrations(0).at(), b.migration.at());
      // And the rollback verdict is about that migration.
      v1::RollbackVerdict verdict;
      ASSERT_TRUE(survivor.Get(absl::StrCat("/api/v1/jobs/", job, "/rollback"), &verdict));
      EXPECT_EQ(verdict.migration().at(), b.migration.at()) << job;
    }
    EXPECT_GT(migrations_checked, 0);
    // The team of a job taken over is exported by its new owner.
    const std::string job = before.begin()->first;
    const int index = std::stoi(job.substr(4));
    EXPECT_THAT(survivor.Metrics(),
                ::testing::HasSubstr(absl::StrCat("vitals_job_info{job_name=\"", job,
                                                  "\",team=\"team-", index % 4, "\"")));
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::unique_ptr<testing::IntervalFeeder> feeder_;
};

TEST_F(ScorerReplicasTest, AShutDownReplicasJobsMoveWithHistoryAndMigrations) {
  auto a = std::make_unique<scorer::Scorer>(Config("replicas-shutdown"));
  scorer::Scorer b(Config("replicas-shutdown"));
  ASSERT_TRUE(a->Start().ok());
  ASSERT_TRUE(b.Start().ok());
  ReplicaApi api_a(a->http_port()), api_b(b.http_port());

  std::set<std::string> a_jobs, b_jobs;
  WaitForSplit(api_a, api_b, &a_jobs, &b_jobs);
  ASSERT_FALSE(HasFailure());
  std::map<std::string, Before> before = PrepareVictim(api_a, a_jobs);
  ASSERT_FALSE(HasFailure());

  EXPECT_TRUE(a->Shutdown(absl::Now() + absl::Seconds(30)).ok());
  a.reset();
  ExpectTakenOver(api_b, before);
  EXPECT_TRUE(b.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

TEST_F(ScorerReplicasTest, AKilledReplicasJobsMoveWithHistoryAndMigrations) {
  if (testing::VitalsBinary().empty()) GTEST_SKIP() << "VITALS_BINARY not set (run through ctest)";
  const std::string config_path = ::testing::TempDir() + "/scorer_replicas_kill.yaml";
  std::ofstream(config_path) << "scorer:\n"
                                "  fleet_reads: false\n"
                                "  tick: 100ms\n"
                                "  state_publish_interval: 500ms\n"
                                "  kafka:\n"
                                "    group_id: replicas-kill\n"
                                "    properties:\n"
                                "      session.timeout.ms: \"4000\"\n"
                                "      heartbeat.interval.ms: \"500\"\n"
                                "  scoring:\n"
                                "    grace: 1s\n"
                                "    warmup: 0s\n"
                                "    min_intervals: 1\n";
  testing::ChildProcess victim({testing::VitalsBinary(), "scorer", "--config", config_path,
                                "--listen", "127.0.0.1:0", "--kafka-bootstrap",
                                cluster_->bootstrap_servers()});
  ASSERT_TRUE(victim.Start());
  // Its port is in its start-up log line.
  uint16_t victim_port = 0;
  const std::regex started(R"(msg="scorer started" listen=[0-9.]+:([0-9]+))");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (victim_port == 0 && absl::Now() < deadline) {
    std::smatch m;
    const std::string err = victim.Stderr();
    if (std::regex_search(err, m, started)) victim_port = std::stoi(m[1]);
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_NE(victim_port, 0) << victim.Stderr();

  scorer::Scorer survivor(Config("replicas-kill"));
  ASSERT_TRUE(survivor.Start().ok());
  ReplicaApi api_victim(victim_port), api_survivor(survivor.http_port());

  std::set<std::string> victim_jobs, survivor_jobs;
  WaitForSplit(api_victim, api_survivor, &victim_jobs, &survivor_jobs);
  ASSERT_FALSE(HasFailure()) << victim.Stderr();
  std::map<std::string, Before> before = PrepareVictim(api_victim, victim_jobs);
  ASSERT_FALSE(HasFailure()) << victim.Stderr();

  ASSERT_EQ(kill(victim.pid(), SIGKILL), 0);
  EXPECT_EQ(victim.Terminate(absl::Seconds(10)), std::optional<int>(-SIGKILL));
  ExpectTakenOver(api_survivor, before);
  EXPECT_TRUE(survivor.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

TEST_F(ScorerReplicasTest, SilentJobsExpireWithTheirSeriesAndLeaveTombstones) {
  scorer::ScorerConfig config = Config("replicas-expiry");
  config.job_expiry = absl::Seconds(3);
  scorer::Scorer replica(config);
  ASSERT_TRUE(replica.Start().ok());
  ReplicaApi api(replica.http_port());
  absl::Time deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline && api.Jobs().size() < kJobs) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(api.Jobs().size(), static_cast<size_t>(kJobs));
  EXPECT_THAT(api.Metrics(), ::testing::HasSubstr("vitals_job_info{job_name=\"job_000\""));

  feeder_->Stop();  // every job falls silent
  deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline && replica.jobs().size() > 0) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_EQ(replica.jobs().size(), 0u);
  EXPECT_TRUE(api.Jobs().empty());
  const std::string metrics = api.Metrics();
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr("vitals_job_info{")));
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr("flink_job_health_score{")));
  EXPECT_THAT(metrics, ::testing::HasSubstr("vitals_scorer_jobs_expired_total 100"));
  EXPECT_TRUE(replica.Shutdown(absl::Now() + absl::Seconds(30)).ok());

  // What a replica taking over now would restore: nothing.
  auto reader = scorer::KafkaChangelogReader::Create(
      {{"bootstrap.servers", cluster_->bootstrap_servers()}, {"group.id", "expiry-check"}});
  ASSERT_TRUE(reader.ok()) << reader.status();
  scorer::LatestStates fold;
  ASSERT_TRUE((*reader)
                  ->ReadToEnd(kStateTopic, {0, 1, 2, 3, 4, 5}, absl::Now() + absl::Seconds(60),
                              [&](const scorer::ChangelogRecord& r) { fold.Apply(r); })
                  .ok());
  EXPECT_GE(fold.tombstones(), static_cast<uint64_t>(kJobs));
  EXPECT_TRUE(fold.Take().empty());
}

// Names of the jobs a replica grades (its registry's), not what it lists.
std::set<std::string> Owned(const scorer::Scorer& replica) {
  std::set<std::string> out;
  for (const v1::HealthReport& r : replica.jobs().Latest()) out.insert(r.job_name());
  return out;
}

TEST_F(ScorerReplicasTest, EitherReplicaAnswersForTheWholeFleet) {
  scorer::Scorer a(Config("replicas-fleet", /*fleet_reads=*/true));
  scorer::Scorer b(Config("replicas-fleet", /*fleet_reads=*/true));
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  const ReplicaApi api_a(a.http_port()), api_b(b.http_port());

  // The partitions split the jobs: each replica grades some, none both.
  std::set<std::string> a_jobs, b_jobs;
  absl::Time deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline) {
    a_jobs = Owned(a);
    b_jobs = Owned(b);
    std::set<std::string> all = a_jobs;
    all.insert(b_jobs.begin(), b_jobs.end());
    if (!a_jobs.empty() && !b_jobs.empty() && all.size() == kJobs &&
        a_jobs.size() + b_jobs.size() == kJobs) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(a_jobs.size() + b_jobs.size(), static_cast<size_t>(kJobs))
      << "no clean split: a grades " << a_jobs.size() << ", b grades " << b_jobs.size();
  ASSERT_FALSE(a_jobs.empty());
  ASSERT_FALSE(b_jobs.empty());
  std::set<std::string> fleet = a_jobs;
  fleet.insert(b_jobs.begin(), b_jobs.end());

  // Behind one address: whichever replica a request reaches lists the
  // whole fleet, the same on both.
  deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline && (api_a.Jobs() != fleet || api_b.Jobs() != fleet)) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  for (int i = 0; i < 10; ++i) {
    const ReplicaApi& api = i % 2 == 0 ? api_a : api_b;
    EXPECT_EQ(api.Jobs(), fleet) << "request " << i << " to " << api.base();
  }
  // Filtered and paged alike on both: a page of the worst jobs each time.
  v1::JobList page_a, page_b;
  ASSERT_TRUE(api_a.Get("/api/v1/jobs?cluster=yarn-prod-1&limit=40", &page_a));
  ASSERT_TRUE(api_b.Get("/api/v1/jobs?cluster=yarn-prod-1&limit=40", &page_b));
  EXPECT_EQ(page_a.jobs_size(), 40);
  EXPECT_EQ(page_b.jobs_size(), 40);
  ASSERT_TRUE(api_a.Get("/api/v1/jobs?prefix=job_00", &page_a));
  ASSERT_TRUE(api_b.Get("/api/v1/jobs?prefix=job_00", &page_b));
  EXPECT_EQ(page_a.jobs_size(), 10);
  EXPECT_EQ(page_b.jobs_size(), 10);

  // Any job's report from either replica.
  for (const std::string& job : fleet) {
    for (const ReplicaApi* api : {&api_a, &api_b}) {
      v1::HealthReport report;
      ASSERT_TRUE(api->Get(absl::StrCat("/api/v1/jobs/", job), &report))
          << job << " on " << api->base();
      EXPECT_EQ(report.job_name(), job);
      EXPECT_EQ(report.cluster(), "yarn-prod-1");
    }
  }

  // A job's history, migrations and rollback: answered by its owner;
  // the other replica redirects there, and the redirect leads to them.
  const std::string of_a = *a_jobs.begin();
  const std::string of_b = *b_jobs.rbegin();
  for (const auto& [job, owner, other] :
       {std::tuple(of_a, &api_a, &api_b), std::tuple(of_b, &api_b, &api_a)}) {
    const std::string path = absl::StrCat("/api/v1/jobs/", job, "/history?limit=5");
    auto direct = owner->Fetch("GET", path);
    ASSERT_TRUE(direct.ok()) << direct.status();
    EXPECT_EQ(direct->status, 200) << job << ": " << direct->body;

    auto redirect = other->Fetch("GET", path);
    ASSERT_TRUE(redirect.ok()) << redirect.status();
    ASSERT_EQ(redirect->status, 307) << job << " on " << other->base() << ": " << redirect->body;
    const std::string location = redirect->Header("Location");
    EXPECT_EQ(location, owner->base() + path);
    auto followed = http::Fetch("GET", location);
    ASSERT_TRUE(followed.ok()) << followed.status();
    ASSERT_EQ(followed->status, 200) << location << ": " << followed->body;
    v1::JobHistory history;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(followed->body, &history).ok());
    EXPECT_EQ(history.job_name(), job);
    EXPECT_GE(history.points_size(), 1);
    EXPECT_LE(history.points_size(), 5);

    for (const char* action : {"/migrations", "/rollback"}) {
      auto r = other->Fetch("GET", absl::StrCat("/api/v1/jobs/", job, action));
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->status, 307) << job << action;
      EXPECT_EQ(r->Header("Location"), absl::StrCat(owner->base(), "/api/v1/jobs/", job, action));
    }
  }

  // A migration posted to the wrong replica: 307 keeps the method and
  // the body, so the client re-posts it to the owner, which records it.
  v1::Migration migration;
  migration.set_from("yarn-prod-1");
  migration.set_to("k8s-prod-eu");
  migration.set_at(NowMs() - 1000);
  std::string body;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(migration, &body).ok());
  const std::string migrations = absl::StrCat("/api/v1/jobs/", of_b, "/migrations");
  auto posted = api_a.Fetch("POST", migrations, body);
  ASSERT_TRUE(posted.ok()) << posted.status();
  ASSERT_EQ(posted->status, 307) << posted->body;
  EXPECT_EQ(posted->Header("Location"), api_b.base() + migrations);
  auto reposted =
      http::Fetch("POST", posted->Header("Location"), body, {{"Content-Type", "application/json"}});
  ASSERT_TRUE(reposted.ok()) << reposted.status();
  EXPECT_EQ(reposted->status, 201) << reposted->body;
  v1::MigrationList list;
  ASSERT_TRUE(api_b.Get(migrations, &list));
  ASSERT_EQ(list.migrations_size(), 1);
  EXPECT_EQ(list.migrations(0).at(), migration.at());
  // Recorded once, by the owner only.
  EXPECT_FALSE(a.jobs().Migrations(of_b).has_value());

  // Each replica's view of the fleet, in its self-metrics.
  for (const ReplicaApi* api : {&api_a, &api_b}) {
    const std::string metrics = api->Metrics();
    EXPECT_THAT(metrics, ::testing::HasSubstr(absl::StrCat("vitals_scorer_fleet_jobs ", kJobs)))
        << api->base();
    EXPECT_THAT(metrics, ::testing::HasSubstr("vitals_scorer_fleet_caught_up 1")) << api->base();
  }

  EXPECT_TRUE(a.Shutdown(absl::Now() + absl::Seconds(30)).ok());
  EXPECT_TRUE(b.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

}  // namespace
}  // namespace vitals
