#include "scorer/waves/wave_verdict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "scorer/model/rollback.h"

namespace vitals::scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kAt = 1'700'000'000'000;

v1::Wave Wave() {
  v1::Wave w;
  w.set_name("w1");
  w.set_from("yarn-prod-1");
  w.set_to("k8s-prod-eu");
  w.set_at(kAt);
  return w;
}

v1::RollbackVerdict Owner(const std::string& verdict, const std::string& from,
                          const std::string& to, int64_t at) {
  v1::RollbackVerdict v;
  v.set_verdict(verdict);
  v.add_reasons(absl::StrCat("owner says ", verdict));
  v.mutable_migration()->set_from(from);
  v.mutable_migration()->set_to(to);
  v.mutable_migration()->set_at(at);
  return v;
}

TEST(WaveVerdictTest, TheWavesMoveTakesTheOwnersVerdict) {
  for (const char* verdict : {kVerdictKeep, kVerdictRollback, kVerdictInsufficientData}) {
    const v1::WaveJob job =
        JudgeWaveJob(Wave(), "job_1", Owner(verdict, "yarn-prod-1", "k8s-prod-eu", kAt));
    EXPECT_EQ(job.verdict(), verdict);
    EXPECT_EQ(job.job_name(), "job_1");
    EXPECT_THAT(job.reasons(), ElementsAre(absl::StrCat("owner says ", verdict)));
    EXPECT_EQ(job.detail().migration().at(), kAt);
  }
  // The same move recorded again later (by hand) still is the wave's.
  EXPECT_EQ(JudgeWaveJob(Wave(), "j", Owner(kVerdictKeep, "yarn-prod-1", "k8s-prod-eu", kAt + 5))
                .verdict(),
            kVerdictKeep);
}

TEST(WaveVerdictTest, AMoveBackAfterTheWaveIsRolledBack) {
  const v1::WaveJob job = JudgeWaveJob(
      Wave(), "j", Owner(kVerdictInsufficientData, "k8s-prod-eu", "yarn-prod-1", kAt + 60'000));
  EXPECT_EQ(job.verdict(), kVerdictRolledBack);
  EXPECT_THAT(job.reasons(0), HasSubstr("rolled back"));
}

TEST(WaveVerdictTest, NoMigrationSinceTheWaveOrAnotherMoveIsInsufficientData) {
  // Not recorded by the owner yet: its newest migration is older.
  v1::WaveJob job =
      JudgeWaveJob(Wave(), "j", Owner(kVerdictKeep, "yarn-prod-0", "yarn-prod-1", kAt - 1));
  EXPECT_EQ(job.verdict(), kVerdictInsufficientData);
  EXPECT_THAT(job.reasons(0), HasSubstr("not recorded for this job yet"));
  // None at all.
  v1::RollbackVerdict none;
  none.set_verdict(kVerdictInsufficientData);
  EXPECT_EQ(JudgeWaveJob(Wave(), "j", none).verdict(), kVerdictInsufficientData);
  // Moved on to a third cluster: neither the wave's move nor a rollback.
  job = JudgeWaveJob(Wave(), "j", Owner(kVerdictKeep, "k8s-prod-eu", "k8s-prod-us", kAt + 1));
  EXPECT_EQ(job.verdict(), kVerdictInsufficientData);
  EXPECT_THAT(job.reasons(0), HasSubstr("moved on"));
}

v1::WaveJob Job(const std::string& name, const std::string& verdict) {
  v1::WaveJob j;
  j.set_job_name(name);
  j.set_verdict(verdict);
  return j;
}

TEST(WaveVerdictTest, AnyRollbackMakesTheWaveRollbackNamingThoseJobs) {
  const v1::WaveStatus status =
      CombineWave(Wave(), {Job("a", kVerdictKeep), Job("b", kVerdictRollback),
                           Job("c", kVerdictInsufficientData), Job("d", kVerdictRollback)});
  EXPECT_EQ(status.verdict(), kWaveRollback);
  EXPECT_THAT(status.rollback(), ElementsAre("b", "d"));
  EXPECT_THAT(status.reasons(0), HasSubstr("2 of 4 jobs should go back to yarn-prod-1: b, d"));
  EXPECT_EQ(status.jobs_size(), 4);
  EXPECT_EQ(status.wave().name(), "w1");
}

TEST(WaveVerdictTest, AnyJobWithoutVerdictHoldsTheWave) {
  const v1::WaveStatus status =
      CombineWave(Wave(), {Job("a", kVerdictKeep), Job("b", kVerdictInsufficientData),
                           Job("c", "some-future-verdict")});
  EXPECT_EQ(status.verdict(), kWaveHold);
  EXPECT_TRUE(status.rollback().empty());
  EXPECT_THAT(status.reasons(0), HasSubstr("2 of 3 jobs have no verdict yet: b, c"));
  EXPECT_EQ(CombineWave(Wave(), {}).verdict(), kWaveHold);
}

TEST(WaveVerdictTest, KeepAndRolledBackJobsLetTheWaveProceed) {
  v1::WaveStatus status = CombineWave(Wave(), {Job("a", kVerdictKeep), Job("b", kVerdictKeep)});
  EXPECT_EQ(status.verdict(), kWaveProceed);
  status = CombineWave(Wave(), {Job("a", kVerdictKeep), Job("b", kVerdictRolledBack)});
  EXPECT_EQ(status.verdict(), kWaveProceed);
  EXPECT_THAT(status.reasons(), ElementsAre(HasSubstr("1 of 2 jobs keep on k8s-prod-eu"),
                                            HasSubstr("1 rolled back to yarn-prod-1: b")));
}

}  // namespace
}  // namespace vitals::scorer
