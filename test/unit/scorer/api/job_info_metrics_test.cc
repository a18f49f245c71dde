// vitals_job_info: one series per owned job with a team, relabelled when
// the labels change, withdrawn when the team goes or the job leaves.

#include "scorer/api/job_info_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/metrics/text_exposition.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::MetricBatch Batch(const std::string& job, std::map<std::string, std::string> labels,
                      const std::string& tenant = "") {
  v1::MetricBatch b;
  b.set_job_name(job);
  b.set_tenant(tenant);
  b.mutable_job_labels()->insert(labels.begin(), labels.end());
  return b;
}

class JobInfoMetricsTest : public ::testing::Test {
 protected:
  std::string Text() { return metrics::RenderText(registry_); }

  prometheus::Registry registry_;
  JobInfoMetrics info_{registry_};
};

TEST_F(JobInfoMetricsTest, AJobWithATeamHasOneSeries) {
  info_.Update("orders", Batch("orders", {{"team", "payments"}, {"tenant", "acme"}}));
  info_.Update("orders", Batch("orders", {{"team", "payments"}, {"tenant", "acme"}}));
  EXPECT_THAT(Text(),
              HasSubstr(R"(vitals_job_info{job_name="orders",team="payments",tenant="acme"} 1)"));
}

TEST_F(JobInfoMetricsTest, NoTeamNoSeriesAndTheTenantFallsBackToTheQualifier) {
  info_.Update("t/clicks", Batch("clicks", {{"tenant", "t"}}, "t"));
  EXPECT_THAT(Text(), Not(HasSubstr("job_name=\"clicks\"")));
  info_.Update("q/views", Batch("views", {{"team", "web"}}, "q"));
  EXPECT_THAT(Text(), HasSubstr(R"(vitals_job_info{job_name="views",team="web",tenant="q"} 1)"));
}

TEST_F(JobInfoMetricsTest, RelabelledWithdrawnAndRemoved) {
  info_.Update("orders", Batch("orders", {{"team", "payments"}}));
  info_.Update("orders", Batch("orders", {{"team", "checkout"}}));
  EXPECT_THAT(Text(), Not(HasSubstr("team=\"payments\"")));
  EXPECT_THAT(Text(),
              HasSubstr(R"(vitals_job_info{job_name="orders",team="checkout",tenant=""} 1)"));
  // A batch without labels says nothing: the series stays.
  info_.Update("orders", Batch("orders", {}));
  EXPECT_THAT(Text(), HasSubstr("team=\"checkout\""));
  // Labels without a team withdraw it.
  info_.Update("orders", Batch("orders", {{"tenant", "x"}}));
  EXPECT_THAT(Text(), Not(HasSubstr("job_name=\"orders\"")));

  v1::JobState restored;
  restored.set_job_name("orders");
  (*restored.mutable_job_labels())["team"] = "payments";
  info_.Update("orders", restored);
  EXPECT_THAT(Text(), HasSubstr("team=\"payments\""));
  info_.Remove("orders");
  EXPECT_THAT(Text(), Not(HasSubstr("job_name=\"orders\"")));
  info_.Remove("never-seen");
}

}  // namespace
}  // namespace vitals::scorer
