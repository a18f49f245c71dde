// A job's state record carries everything another replica needs to serve
// the job as if it had never moved: history, migrations and so rollback
// verdicts, lookup by the last job id, labels. Also: expiry of silent jobs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "google/protobuf/util/message_differencer.h"
#include "scorer/job_registry.h"
#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

using testing::MakeInterval;
using testing::SyntheticJob;

constexpr int64_t kT0 = 1'700'000'000'000;

ScoringConfig Config() {
  ScoringConfig c;
  c.warmup = absl::ZeroDuration();
  c.min_intervals = 1;
  c.window = absl::Minutes(1);
  c.rollback.settle = absl::ZeroDuration();
  c.rollback.min_points = 5;
  return c;
}

// Feeds intervals [first, first + n) of `job` to `registry` and evaluates.
void Feed(JobRegistry& registry, const SyntheticJob& job, int first, int n, int32_t partition) {
  const int64_t grace = absl::ToInt64Milliseconds(Config().grace);
  for (int i = first; i < first + n; ++i) {
    const int64_t start = kT0 + i * job.interval_ms;
    for (v1::MetricBatch& batch : MakeInterval(job, start)) {
      (*batch.mutable_job_labels())["team"] = "payments";
      EXPECT_TRUE(registry.Add(job.job_name, batch, partition, start));
    }
    registry.EvaluateAll(start + job.interval_ms + grace);
  }
}

v1::Migration Move(int64_t at) {
  v1::Migration m;
  m.set_from("yarn-prod-1");
  m.set_to("k8s-prod-eu");
  m.set_at(at);
  return m;
}

TEST(JobStateRoundTripTest, AnotherReplicaServesTheSameHistoryMigrationsAndVerdict) {
  const ScoringConfig config = Config();
  JobRegistry owner(&config);
  SyntheticJob job;
  job.cluster = "yarn-prod-1";
  Feed(owner, job, 0, 20, 3);
  ASSERT_TRUE(owner.AddMigration(job.job_name, Move(kT0 + 20 * job.interval_ms)).ok());
  job.cluster = "k8s-prod-eu";
  job.job_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  job.gc_share = 0.3;  // worse after the move
  Feed(owner, job, 20, 20, 3);

  std::optional<OwnedState> owned = owner.State(job.job_name);
  ASSERT_TRUE(owned.has_value());
  EXPECT_EQ(owned->partition, 3);
  EXPECT_EQ(owned->state.job_name(), job.job_name);
  EXPECT_EQ(owned->state.last_job_id(), job.job_id);
  EXPECT_EQ(owned->state.last_cluster(), "k8s-prod-eu");
  EXPECT_EQ(owned->state.job_labels().at("team"), "payments");
  ASSERT_EQ(owned->state.migrations_size(), 1);

  // Through the bytes that go to Kafka.
  v1::JobState decoded;
  ASSERT_TRUE(decoded.ParseFromString(owned->state.SerializeAsString()));
  JobRegistry successor(&config);
  ASSERT_TRUE(successor.Restore(job.job_name, owned->partition, decoded, kT0));

  const std::optional<v1::JobHistory> before = owner.History(job.job_name);
  const std::optional<v1::JobHistory> after = successor.History(job.job_name);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(after->points_size(), 40);
  // Map fields serialize in no fixed order: compare as messages.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*before, *after));
  // The latest report is served before the successor's first evaluation.
  const std::optional<v1::HealthReport> owner_latest = owner.Latest(job.job_name);
  const std::optional<v1::HealthReport> successor_latest = successor.Latest(job.job_name);
  ASSERT_TRUE(owner_latest && successor_latest);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*owner_latest, *successor_latest));
  EXPECT_EQ(successor.Latest().size(), 1u);
  // By the job id too.
  ASSERT_TRUE(successor.Migrations(job.job_id).has_value());
  EXPECT_EQ(successor.Migrations(job.job_id)->migrations_size(), 1);
  EXPECT_EQ(successor.Migrations(job.job_id)->migrations(0).from(), "yarn-prod-1");

  const int64_t now = kT0 + 41 * job.interval_ms;
  const std::optional<v1::RollbackVerdict> a = owner.Rollback(job.job_name, now);
  const std::optional<v1::RollbackVerdict> b = successor.Rollback(job.job_name, now);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->verdict(), "rollback") << a->DebugString();
  EXPECT_EQ(b->verdict(), a->verdict());
  EXPECT_EQ(b->baseline_score(), a->baseline_score());
  EXPECT_EQ(b->current_score(), a->current_score());

  // The successor goes on where the owner stopped: an interval already in
  // the history is late, the next one is graded.
  EXPECT_FALSE(successor.Add(job.job_name, MakeInterval(job, kT0 + 39 * job.interval_ms)[0], 3));
  Feed(successor, job, 40, 1, 3);
  EXPECT_EQ(successor.History(job.job_name)->points_size(), 41);
  EXPECT_EQ(successor.Keys(), std::vector<std::string>{job.job_name});
}

TEST(JobStateRoundTripTest, ARestoreNeverOverwritesALiveJob) {
  const ScoringConfig config = Config();
  JobRegistry registry(&config);
  SyntheticJob job;
  Feed(registry, job, 0, 5, 0);
  v1::JobState stale;
  stale.set_job_name(job.job_name);
  *stale.add_migrations() = Move(1);
  EXPECT_FALSE(registry.Restore(job.job_name, 0, stale, kT0));
  EXPECT_EQ(registry.History(job.job_name)->points_size(), 5);
  EXPECT_EQ(registry.Migrations(job.job_name)->migrations_size(), 0);
}

TEST(JobStateRoundTripTest, SilentJobsExpireAndRevokedPartitionsHandTheirStateOver) {
  const ScoringConfig config = Config();
  JobRegistry registry(&config);
  SyntheticJob quiet;
  quiet.job_name = "quiet";
  SyntheticJob busy;
  busy.job_name = "busy";
  busy.job_id = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
  Feed(registry, quiet, 0, 3, 1);
  Feed(registry, busy, 0, 10, 2);
  const int64_t last_busy = kT0 + 9 * busy.interval_ms;

  // Silent for exactly the expiry: gone; the other one is not.
  const int64_t expiry = 6 * quiet.interval_ms;
  std::vector<DroppedJob> expired = registry.Expire(kT0 + 2 * quiet.interval_ms + expiry, expiry);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].key, "quiet");
  EXPECT_EQ(expired[0].partition, 1);
  ASSERT_TRUE(expired[0].latest.has_value());
  EXPECT_EQ(expired[0].latest->job_name(), "quiet");
  EXPECT_FALSE(registry.History("quiet").has_value());
  EXPECT_FALSE(registry.Latest(quiet.job_id).has_value());
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_TRUE(registry.Expire(last_busy + 1, expiry).empty());

  std::vector<DroppedJob> revoked = registry.DropPartitions({2});
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].state.history_size(), 10);
  EXPECT_EQ(revoked[0].state.last_job_id(), busy.job_id);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(registry.Latest(busy.job_id).has_value());
}

TEST(JobStateRoundTripTest, MigrationsAreFoundByNameOrIdAndAnswerWithTheKey) {
  const ScoringConfig config = Config();
  JobRegistry registry(&config);
  SyntheticJob job;
  job.job_name = "orders-enrichment";
  Feed(registry, job, 0, 2, 0);
  absl::StatusOr<std::string> key = registry.AddMigration(job.job_id, Move(7));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, "orders-enrichment");
  EXPECT_TRUE(absl::IsNotFound(registry.AddMigration("nope", Move(8)).status()));
  EXPECT_FALSE(registry.Migrations("nope").has_value());
  ASSERT_TRUE(registry.Migrations("orders-enrichment").has_value());
  EXPECT_EQ(registry.Migrations("orders-enrichment")->migrations(0).at(), 7);
}

}  // namespace
}  // namespace vitals::scorer
