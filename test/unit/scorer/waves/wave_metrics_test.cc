#include "scorer/waves/wave_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "common/metrics/text_exposition.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1'700'000'000'000;

v1::Wave Wave(const std::string& name, int64_t at) {
  v1::Wave w;
  w.set_name(name);
  w.set_from("yarn-prod-1");
  w.set_to("k8s-prod-eu");
  w.set_at(at);
  w.add_jobs("mine");
  w.add_jobs("theirs");
  return w;
}

v1::RollbackVerdict Verdict(const std::string& verdict, const std::string& from,
                            const std::string& to, int64_t at) {
  v1::RollbackVerdict v;
  v.set_verdict(verdict);
  v.mutable_migration()->set_from(from);
  v.mutable_migration()->set_to(to);
  v.mutable_migration()->set_at(at);
  return v;
}

TEST(WaveMetricsTest, ExportsTheOwnedJobsOfRecentWavesAndWithdrawsWhatChanged) {
  prometheus::Registry registry;
  WaveMetrics metrics(registry);
  WaveBook book;
  book.Put(Wave("w1", kNow - 60'000));
  book.Put(Wave("old", kNow - absl::ToInt64Milliseconds(kWaveMetricsWindow) - 1));
  std::map<std::string, v1::RollbackVerdict> owned = {
      {"mine", Verdict("rollback", "yarn-prod-1", "k8s-prod-eu", kNow - 60'000)}};
  const auto verdict = [&](const std::string& job) -> std::optional<v1::RollbackVerdict> {
    auto it = owned.find(job);
    if (it == owned.end()) return std::nullopt;
    return it->second;
  };

  metrics.Update(book, verdict, kNow, true);
  std::string text = metrics::RenderText(registry);
  EXPECT_THAT(text, HasSubstr(R"(vitals_scorer_wave_job_verdict{cluster="k8s-prod-eu",)"
                              R"(job_name="mine",verdict="rollback",wave="w1"} 1)"));
  // Another replica's job, and a wave older than the window: not here.
  EXPECT_THAT(text, Not(HasSubstr(R"(job_name="theirs")")));
  EXPECT_THAT(text, Not(HasSubstr(R"(wave="old")")));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_waves 2"));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_waves_caught_up 1"));

  // Rolled back: the rollback series goes, the job is on Yarn again.
  owned["mine"] = Verdict("insufficient_data", "k8s-prod-eu", "yarn-prod-1", kNow - 1000);
  metrics.Update(book, verdict, kNow, true);
  text = metrics::RenderText(registry);
  EXPECT_THAT(text, Not(HasSubstr(R"(verdict="rollback")")));
  EXPECT_THAT(text, HasSubstr(R"(vitals_scorer_wave_job_verdict{cluster="yarn-prod-1",)"
                              R"(job_name="mine",verdict="rolled_back",wave="w1"} 1)"));

  // The job left this replica: its series goes with it.
  owned.clear();
  metrics.Update(book, verdict, kNow, false);
  text = metrics::RenderText(registry);
  EXPECT_THAT(text, Not(HasSubstr("vitals_scorer_wave_job_verdict{")));
  EXPECT_THAT(text, HasSubstr("vitals_scorer_waves_caught_up 0"));
}

}  // namespace
}  // namespace vitals::scorer
