// The registry's view of silence: a job whose batches stop while others'
// keep coming is not_reporting; when no job's batches come (Kafka down, the
// replica behind), no job is.

#include "scorer/job_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "test/unit/scorer/model/synthetic_job.h"

namespace vitals::scorer {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;
constexpr int64_t kGrace = 5'000;

class JobRegistryTest : public ::testing::Test {
 protected:
  JobRegistryTest() {
    orders_.job_name = "orders";
    orders_.job_id = "0123456789abcdef0123456789abcdef";
    clicks_.job_name = "clicks";
    clicks_.job_id = "fedcba9876543210fedcba9876543210";
  }

  // Batches of `jobs` for interval i, then an evaluation after it.
  std::map<std::string, v1::HealthReport> Interval(int i,
                                                   std::vector<const testing::SyntheticJob*> jobs) {
    const int64_t start = kT0 + i * kInterval;
    for (const testing::SyntheticJob* job : jobs) {
      for (const v1::MetricBatch& b : testing::MakeInterval(*job, start)) {
        registry_.Add(job->job_name, b, 0, start + kInterval);
      }
    }
    std::map<std::string, v1::HealthReport> out;
    for (v1::HealthReport& r : registry_.EvaluateAll(start + kInterval + kGrace)) {
      out[r.job_name()] = std::move(r);
    }
    return out;
  }

  ScoringConfig config_;
  JobRegistry registry_{&config_};
  testing::SyntheticJob orders_, clicks_;
};

TEST_F(JobRegistryTest, AJobThatFallsSilentWhileOthersReportIsNotReporting) {
  for (int i = 0; i < 10; ++i) Interval(i, {&orders_, &clicks_});
  EXPECT_EQ(registry_.Latest("clicks")->state(), "running");
  // clicks stops; orders goes on.
  std::vector<std::string> clicks_states;
  for (int i = 10; i < 20; ++i) {
    auto reports = Interval(i, {&orders_});
    if (reports.contains("clicks")) clicks_states.push_back(reports["clicks"].state());
  }
  // Once, a minute of data after its last interval.
  EXPECT_THAT(clicks_states, ::testing::ElementsAre("not_reporting"));
  const v1::HealthReport silent = *registry_.Latest("clicks");
  EXPECT_EQ(silent.state(), "not_reporting");
  EXPECT_EQ(silent.state_since_ms(), kT0 + 10 * kInterval);
  EXPECT_EQ(registry_.Latest("orders")->state(), "running");
}

TEST_F(JobRegistryTest, WhenNoJobReportsNoJobIsCalledSilent) {
  for (int i = 0; i < 10; ++i) Interval(i, {&orders_, &clicks_});
  // Nothing arrives for five minutes of wall clock: the pipeline stalled,
  // not the jobs.
  for (int64_t t = kT0 + 10 * kInterval; t < kT0 + 40 * kInterval; t += kInterval) {
    EXPECT_TRUE(registry_.EvaluateAll(t).empty());
  }
  EXPECT_EQ(registry_.Latest("orders")->state(), "running");
  EXPECT_EQ(registry_.Latest("clicks")->state(), "running");
}

}  // namespace
}  // namespace vitals::scorer
