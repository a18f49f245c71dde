// A wave end to end: 12 jobs of the Flink simulator, application clusters
// on Yarn, report through the gateway's real Pushgateway path (in process,
// test/integration/support/sim_feeder.h) to two scorer replicas (one
// `vitals scorer` process, one in this process) over the embedded Kafka.
// A wave moves 10 of them to Kubernetes in the simulator (redeployed: new
// job ids, new processes, counters from zero), posted to one replica;
// after the move 2 of them backpressure and fail checkpoints.
//  - before the move, either replica's ordering helper (waves/plan) lists
//    every Yarn job with its job graph's shape;
//  - either replica says `rollback` naming exactly those 2, the other 8
//    `keep`, and `vitals status wave` exits 3;
//  - the posting replica is killed (SIGKILL): the survivor takes its jobs
//    over and says the same;
//  - the 2 are moved back (redeployed on Yarn, healthy) and their migration
//    back is recorded: the wave says `proceed` (the 2 `rolled_back`) and
//    `vitals status wave` exits 0.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/http/client.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/scorer.h"
#include "sim/fault.h"
#include "sim/fleet.h"
#include "test/integration/support/child_process.h"
#include "test/integration/support/sim_feeder.h"
#include "vitals/v1/health.pb.h"

namespace vitals {
namespace {

constexpr int kJobs = 12;
constexpr int kWaveJobs = 10;
constexpr int kPartitions = 6;
constexpr int64_t kIntervalMs = 1000;
constexpr char kMetricsTopic[] = "flink.metrics";
constexpr char kYarn[] = "yarn-prod-1";
constexpr char kK8s[] = "k8s-prod-eu";
constexpr absl::Duration kDeadline = absl::Seconds(60);
const std::set<std::string> kDegraded = {"job_003", "job_007"};

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string JobName(int i) {
  char name[16];
  std::snprintf(name, sizeof(name), "job_%03d", i);
  return name;
}

// Every job on Yarn, running for 15 minutes when the test starts (no
// start-up warm-up). Small job graphs, one TaskManager each: the machine
// also runs Kafka and two scorers. Checkpoints every 2 s, so that failures
// show within seconds of the move; at 1 s, as long as an interval, the
// checkpoint durations alone cost healthy jobs points.
sim::FleetSpec FleetOnYarn() {
  sim::FleetSpec spec;
  spec.jobs = kJobs;
  spec.nodes = 1;
  spec.clusters = {kYarn};
  spec.job_name_prefix = "job_";  // as the gateway reports them: no filtering
  spec.start_ms = NowMs() - 15 * 60'000;
  spec.checkpoint_interval_ms = 2 * kIntervalMs;
  spec.operators = 3;
  spec.parallelism = 2;
  spec.task_managers = 1;
  return spec;
}

constexpr sim::FaultKind kDegradations[] = {sim::FaultKind::kBackpressure,
                                            sim::FaultKind::kCheckpointFailure};

// Redeploys job `i` on `cluster`, degraded there or healthy. Faults follow
// a job across a redeploy: switched on after it and off before it, so that
// they never show on the side the job leaves.
absl::Status Move(testing::SimFeeder& feeder, int i, const std::string& cluster, bool degraded) {
  absl::Status status;
  for (sim::FaultKind fault : kDegradations) {
    if (!degraded) status.Update(feeder.SetFault(i, fault, false));
  }
  status.Update(feeder.Redeploy(i, cluster));
  for (sim::FaultKind fault : kDegradations) {
    if (degraded) status.Update(feeder.SetFault(i, fault, true));
  }
  return status;
}

class Replica {
 public:
  explicit Replica(uint16_t port) : base_(absl::StrCat("http://127.0.0.1:", port)) {}

  // GET, following one redirect to the job's owner.
  bool Get(const std::string& path, google::protobuf::Message* out) const {
    auto r = http::Fetch("GET", base_ + path);
    if (r.ok() && r->status == 307) r = http::Fetch("GET", r->Header("Location"));
    if (!r.ok() || r->status != 200) return false;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    return google::protobuf::util::JsonStringToMessage(r->body, out, options).ok();
  }
  absl::StatusOr<http::ClientResponse> Post(const std::string& path,
                                            const std::string& body) const {
    auto r = http::Fetch("POST", base_ + path, body, {{"Content-Type", "application/json"}});
    if (r.ok() && r->status == 307) {
      r = http::Fetch("POST", r->Header("Location"), body, {{"Content-Type", "application/json"}});
    }
    return r;
  }
  size_t Jobs() const {
    v1::JobList list;
    return Get("/api/v1/jobs", &list) ? static_cast<size_t>(list.jobs_size()) : 0;
  }
  std::string Metrics() const {
    auto r = http::Fetch("GET", base_ + "/metrics");
    return r.ok() ? r->body : "";
  }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
};

// The jobs of a wave status by verdict.
std::map<std::string, std::set<std::string>> ByVerdict(const v1::WaveStatus& status) {
  std::map<std::string, std::set<std::string>> out;
  for (const v1::WaveJob& j : status.jobs()) out[j.verdict()].insert(j.job_name());
  return out;
}

std::string Describe(const v1::WaveStatus& status) {
  std::string out = absl::StrCat(status.verdict(), ": ", absl::StrJoin(status.reasons(), "; "));
  for (const v1::WaveJob& j : status.jobs()) {
    absl::StrAppend(&out, "\n  ", j.job_name(), " ", j.verdict(), " ",
                    absl::StrJoin(j.reasons(), "; "));
  }
  return out;
}

// Polls the wave on each replica in turn until `done` holds on all of them.
v1::WaveStatus WaitForWave(const std::vector<const Replica*>& replicas,
                           const std::function<bool(const v1::WaveStatus&)>& done) {
  const absl::Time deadline = absl::Now() + kDeadline;
  v1::WaveStatus status;
  while (absl::Now() < deadline) {
    bool all = true;
    for (const Replica* r : replicas) {
      status.Clear();
      if (!r->Get("/api/v1/waves/w1", &status) || !done(status)) {
        all = false;
        break;
      }
    }
    if (all) return status;
    absl::SleepFor(absl::Milliseconds(300));
  }
  ADD_FAILURE() << "the wave did not come to the expected verdict; last seen: " << Describe(status);
  return status;
}

// `vitals status <what>` against `replica`: exit code and output.
std::pair<int, std::string> Status(const Replica& replica, const std::string& what) {
  const std::string command = absl::StrCat(testing::VitalsBinary(), " status ", what, " --scorer ",
                                           replica.base(), " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// `vitals status wave w1` against `replica`.
std::pair<int, std::string> StatusWave(const Replica& replica, const std::string& flags = "") {
  return Status(replica, absl::StrCat("wave w1 ", flags));
}

constexpr char kScorerYaml[] =
    "scorer:\n"
    "  tick: 100ms\n"
    "  state_publish_interval: 500ms\n"
    "  kafka:\n"
    "    group_id: waves\n"
    "    properties:\n"
    "      session.timeout.ms: \"4000\"\n"
    "      heartbeat.interval.ms: \"500\"\n"
    "  scoring:\n"
    "    grace: 1s\n"
    "    warmup: 0s\n"
    "    min_intervals: 1\n"
    "    rollback:\n"
    "      settle: 0s\n"
    "      min_points: 4\n";

TEST(WavesTest, ARollbackVerdictNamesTheDegradedJobsSurvivesAKillAndClearsAfterRollback) {
  if (testing::VitalsBinary().empty()) GTEST_SKIP() << "VITALS_BINARY not set (run through ctest)";
  auto cluster = kafka::EmbeddedCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  for (const char* topic : {kMetricsTopic, "flink.health", "vitals.scorer.state"}) {
    ASSERT_TRUE((*cluster)->CreateTopic(topic, kPartitions).ok()) << topic;
  }
  ASSERT_TRUE((*cluster)->CreateTopic("vitals.scorer.waves", 1).ok());
  auto producer = kafka::KafkaProducer::Create(
      {{"bootstrap.servers", (*cluster)->bootstrap_servers()}, {"linger.ms", "5"}}, nullptr);
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto fleet = sim::Fleet::Create(FleetOnYarn());
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  testing::SimFeeder feeder(producer->get(), kMetricsTopic, kIntervalMs, *std::move(fleet));
  for (int i = 0; i < kJobs; ++i) ASSERT_EQ(feeder.job_names()[i], JobName(i));
  feeder.Start();

  // The replica that will be killed: a process, so that it dies without a
  // goodbye to the group and without writing state.
  const std::string config_path = ::testing::TempDir() + "/waves_test.yaml";
  std::ofstream(config_path) << kScorerYaml;
  testing::ChildProcess victim({testing::VitalsBinary(), "scorer", "--config", config_path,
                                "--listen", "127.0.0.1:0", "--kafka-bootstrap",
                                (*cluster)->bootstrap_servers()});
  ASSERT_TRUE(victim.Start());
  uint16_t victim_port = 0;
  const std::regex started(R"(msg="scorer started" listen=[0-9.]+:([0-9]+))");
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       victim_port == 0 && absl::Now() < deadline; absl::SleepFor(absl::Milliseconds(100))) {
    std::smatch m;
    const std::string err = victim.Stderr();
    if (std::regex_search(err, m, started)) victim_port = std::stoi(m[1]);
  }
  ASSERT_NE(victim_port, 0) << victim.Stderr();

  scorer::ScorerConfig config;
  config.listen = "127.0.0.1:0";
  config.group_id = "waves";
  config.kafka_properties = {{"bootstrap.servers", (*cluster)->bootstrap_servers()},
                             {"session.timeout.ms", "4000"},
                             {"heartbeat.interval.ms", "500"}};
  config.tick = absl::Milliseconds(100);
  config.state_publish_interval = absl::Milliseconds(500);
  config.scoring.grace = absl::Seconds(1);
  config.scoring.warmup = absl::ZeroDuration();
  config.scoring.min_intervals = 1;
  config.scoring.rollback.settle = absl::ZeroDuration();
  config.scoring.rollback.min_points = 4;
  scorer::Scorer survivor(config);
  ASSERT_TRUE(survivor.Start().ok());
  const Replica a(victim_port), b(survivor.http_port());

  // Both grade some jobs, both list all of them, each has a Yarn baseline.
  absl::Time deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline) {
    const size_t owned = survivor.jobs().size();
    bool baseline = a.Jobs() == kJobs && b.Jobs() == kJobs && owned > 0 && owned < kJobs;
    for (int i = 0; baseline && i < kWaveJobs; ++i) {
      v1::JobHistory history;
      baseline = b.Get(absl::StrCat("/api/v1/jobs/", JobName(i), "/history"), &history) &&
                 history.points_size() >= 6;
    }
    if (baseline) break;
    absl::SleepFor(absl::Milliseconds(300));
  }
  ASSERT_LT(absl::Now(), deadline) << "no split with a baseline; victim log:\n" << victim.Stderr();

  // The ordering helper, from either replica: every Yarn job, with the
  // shape Flink's IO metrics give its job graph (3 operators chained 2 + 1
  // into 2 tasks of parallelism 2) and the state its checkpoints hold.
  for (const Replica* r : {&a, &b}) {
    v1::WavePlan plan;
    ASSERT_TRUE(r->Get(absl::StrCat("/api/v1/waves/plan?cluster=", kYarn), &plan)) << r->base();
    EXPECT_EQ(plan.jobs_size() + plan.held_back_size(), kJobs) << plan.DebugString();
    for (const auto* list : {&plan.jobs(), &plan.held_back()}) {
      for (const v1::WavePlanJob& job : *list) {
        const v1::JobTopology& t = job.topology();
        EXPECT_EQ(t.operators(), 3u) << job.job_name();
        EXPECT_EQ(t.tasks(), 2u) << job.job_name();
        EXPECT_EQ(t.max_parallelism(), 2u) << job.job_name();
        EXPECT_EQ(t.subtasks(), 4u) << job.job_name();
        EXPECT_TRUE(t.has_checkpointed_bytes() && t.checkpointed_bytes() > 0) << job.job_name();
      }
    }
  }
  // The same from the command line, cut into waves of 5.
  auto [plan_code, plan_out] = Status(b, absl::StrCat("plan --cluster ", kYarn, " --wave-size 5"));
  EXPECT_EQ(plan_code, 0) << plan_out;
  // WAVE JOB CRITICALITY OPS TASKS PAR STATE GRADE
  const std::regex first_wave_row("^1 +job_0[0-9]{2} +-1 +3 +2 +2 +[0-9.]+ [KMG]?i?B +healthy$");
  int first_wave = 0;
  for (absl::string_view line : absl::StrSplit(plan_out, '\n')) {
    first_wave += std::regex_search(std::string(line), first_wave_row) ? 1 : 0;
  }
  EXPECT_EQ(first_wave, 5) << plan_out;

  // The wave: 10 jobs move now, 2 of them degrade on Kubernetes.
  const int64_t at = NowMs();
  std::vector<std::string> wave_jobs;
  for (int i = 0; i < kWaveJobs; ++i) {
    wave_jobs.push_back(JobName(i));
    ASSERT_TRUE(Move(feeder, i, kK8s, kDegraded.contains(JobName(i))).ok());
  }
  const std::string body =
      absl::StrCat(R"({"name": "w1", "from": ")", kYarn, R"(", "to": ")", kK8s, R"(", "at": )", at,
                   R"(, "jobs": [")", absl::StrJoin(wave_jobs, R"(", ")"), R"("]})");
  auto posted = a.Post("/api/v1/waves", body);
  ASSERT_TRUE(posted.ok()) << posted.status();
  ASSERT_EQ(posted->status, 201) << posted->body;
  // A retry is answered with the wave; another wave of that name is refused.
  posted = b.Post("/api/v1/waves", body);
  ASSERT_TRUE(posted.ok());
  EXPECT_TRUE(posted->status == 200 || posted->status == 201) << posted->body;
  posted =
      a.Post("/api/v1/waves", absl::StrCat(R"({"name": "w1", "from": ")", kYarn, R"(", "to": ")",
                                           kK8s, R"(", "jobs": ["job_011"]})"));
  ASSERT_TRUE(posted.ok());
  EXPECT_EQ(posted->status, 409) << posted->body;

  // Every job of the wave judged, on both replicas: exactly the 2 go back.
  const auto judged_rollback = [&](const v1::WaveStatus& s) {
    auto by = ByVerdict(s);
    return s.verdict() == "rollback" && by["rollback"] == kDegraded && by["keep"].size() == 8;
  };
  v1::WaveStatus status = WaitForWave({&a, &b}, judged_rollback);
  EXPECT_THAT(status.rollback(), ::testing::ElementsAre("job_003", "job_007"));
  EXPECT_EQ(status.wave().jobs_size(), kWaveJobs);
  auto [code, out] = StatusWave(b);
  EXPECT_EQ(code, 3) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("ROLLBACK"));
  EXPECT_THAT(out, ::testing::ContainsRegex("job_003 +rollback"));
  EXPECT_THAT(out, ::testing::ContainsRegex("job_000 +keep"));
  std::tie(code, out) = StatusWave(a, "--json");
  EXPECT_EQ(code, 3) << out;
  v1::WaveStatus from_json;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(out, &from_json).ok()) << out;
  EXPECT_EQ(from_json.verdict(), "rollback");

  // The posting replica dies without a goodbye; the survivor takes every
  // job over (history and migrations from the state topic) and says the same.
  ASSERT_EQ(kill(victim.pid(), SIGKILL), 0);
  EXPECT_EQ(victim.Terminate(absl::Seconds(10)), std::optional<int>(-SIGKILL));
  deadline = absl::Now() + kDeadline;
  while (absl::Now() < deadline && survivor.jobs().size() < kJobs) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(survivor.jobs().size(), static_cast<size_t>(kJobs)) << "no takeover";
  status = WaitForWave({&b}, judged_rollback);
  for (const std::string& job : kDegraded) {
    EXPECT_TRUE(survivor.jobs().Migrations(job).has_value());
  }

  // The 2 go back to Yarn, healthy, and their migration back is recorded.
  const int64_t back_at = NowMs();
  for (int i = 0; i < kWaveJobs; ++i) {
    const std::string job = JobName(i);
    if (!kDegraded.contains(job)) continue;
    ASSERT_TRUE(Move(feeder, i, kYarn, /*degraded=*/false).ok());
    auto r = b.Post(
        absl::StrCat("/api/v1/jobs/", job, "/migrations"),
        absl::StrCat(R"({"from": ")", kK8s, R"(", "to": ")", kYarn, R"(", "at": )", back_at, "}"));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 201) << r->body;
  }
  status = WaitForWave({&b}, [&](const v1::WaveStatus& s) {
    auto by = ByVerdict(s);
    return s.verdict() == "proceed" && by["rolled_back"] == kDegraded && by["keep"].size() == 8;
  });
  EXPECT_TRUE(status.rollback().empty());
  std::tie(code, out) = StatusWave(b);
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("PROCEED"));

  // The wave is listed, and its verdicts are in the self-metrics.
  v1::WaveList list;
  ASSERT_TRUE(b.Get("/api/v1/waves", &list));
  ASSERT_EQ(list.waves_size(), 1);
  EXPECT_EQ(list.waves(0).name(), "w1");
  const std::string metrics = b.Metrics();
  EXPECT_THAT(
      metrics,
      ::testing::HasSubstr(
          R"(vitals_scorer_wave_job_verdict{cluster="yarn-prod-1",job_name="job_003",verdict="rolled_back",wave="w1"} 1)"));
  EXPECT_THAT(
      metrics,
      ::testing::HasSubstr(
          R"(vitals_scorer_wave_job_verdict{cluster="k8s-prod-eu",job_name="job_000",verdict="keep",wave="w1"} 1)"));
  EXPECT_THAT(metrics, ::testing::HasSubstr("vitals_scorer_waves 1"));

  feeder.Stop();
  EXPECT_GT(feeder.produced(), 0);
  EXPECT_EQ(feeder.refused(), 0);
  EXPECT_TRUE(survivor.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

}  // namespace
}  // namespace vitals
