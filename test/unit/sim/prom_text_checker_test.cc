#include "test/unit/sim/prom_text_checker.h"

#include "gtest/gtest.h"

namespace vitals::sim::testing {
namespace {

constexpr char kFlinkShaped[] =
    "# HELP flink_jobmanager_job_numRestarts numRestarts (scope: jobmanager_job)\n"
    "# TYPE flink_jobmanager_job_numRestarts gauge\n"
    "flink_jobmanager_job_numRestarts{host=\"a\",job_name=\"x\\\"y\",} 5.5132808E7\n"
    "# HELP flink_x latency (scope: x)\n"
    "# TYPE flink_x summary\n"
    "flink_x_count{host=\"a\",} 3.0\n"
    "flink_x{host=\"a\",quantile=\"0.5\",} NaN\n";

TEST(PromTextCheckerTest, AcceptsFlinkShapedText) {
  auto families = CheckPromText(kFlinkShaped);
  ASSERT_TRUE(families.ok()) << families.status();
  ASSERT_EQ(families->size(), 2u);
  EXPECT_EQ((*families)[0].help, "numRestarts (scope: jobmanager_job)");
  EXPECT_EQ((*families)[0].samples[0].Label("job_name"), "x\"y");
  EXPECT_EQ((*families)[0].samples[0].value, 5.5132808e7);
  EXPECT_EQ((*families)[1].samples.size(), 2u);
}

TEST(PromTextCheckerTest, RejectsDeviationsFromFlinksShape) {
  const char* bad[] = {
      // No trailing comma.
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\"} 1.0\n",
      // TYPE before HELP.
      "# TYPE f gauge\n# HELP f h\nf{a=\"b\",} 1.0\n",
      // Sample of another family.
      "# HELP f h\n# TYPE f gauge\ng{a=\"b\",} 1.0\n",
      // A timestamp.
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\",} 1.0 123\n",
      // Not a Java double spelling.
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\",} 1\n",
      // A family twice (as two jobs' series would come out unmerged).
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\",} 1.0\n# HELP f h\n# TYPE f gauge\n",
      // A series twice within its family.
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\",} 1.0\nf{a=\"c\",} 1.0\nf{a=\"b\",} 2.0\n",
      // A summary quantile sample without the quantile label.
      "# HELP f h\n# TYPE f summary\nf{a=\"b\",} 1.0\n",
      // No final newline.
      "# HELP f h\n# TYPE f gauge\nf{a=\"b\",} 1.0",
  };
  for (const char* text : bad) EXPECT_FALSE(CheckPromText(text).ok()) << text;
}

}  // namespace
}  // namespace vitals::sim::testing
