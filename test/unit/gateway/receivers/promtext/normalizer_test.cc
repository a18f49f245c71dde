#include "gateway/receivers/promtext/normalizer.h"

#include <gtest/gtest.h>

#include "gateway/receivers/promtext/parser.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

RecordingSink Normalize(std::string_view body) {
  RecordingSink sink;
  PromNormalizer normalizer(&sink);
  normalizer.Reset("push:x", 1234, "yarn-1");
  PromTextParser parser(TextFormat::kPrometheus004);
  EXPECT_TRUE(parser.Parse(body, normalizer).ok());
  return sink;
}

TEST(PromNormalizerTest, MapsFlinkFamiliesOntoScopeAndCanonicalName) {
  RecordingSink sink = Normalize(
      "# TYPE flink_taskmanager_job_task_operator_numRecordsInPerSecond gauge\n"
      "flink_taskmanager_job_task_operator_numRecordsInPerSecond{host=\"h\",job_id=\"abc\","
      "job_name=\"my-job\",operator_name=\"Map\",subtask_index=\"3\",task_name=\"t\",} 5.5E1\n"
      "# TYPE flink_jobmanager_job_numRestarts gauge\n"
      "flink_jobmanager_job_numRestarts{job_id=\"abc\",job_name=\"my_job\",host=\"jm\",} 2.0\n"
      "# TYPE flink_taskmanager_Status_JVM_CPU_Load gauge\n"
      "flink_taskmanager_Status_JVM_CPU_Load{host=\"h\",tm_id=\"tm1\",} 0.5\n"
      "# TYPE jvm_threads gauge\n"
      "jvm_threads{pod=\"p\"} 7\n");
  ASSERT_EQ(sink.samples.size(), 4u);
  const RecordedSample& op = sink.samples[0];
  EXPECT_EQ(op.scope, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  EXPECT_EQ(op.metric, "numRecordsInPerSecond");
  EXPECT_EQ(op.job_id, "abc");
  // Label values get Flink's PrometheusReporter filter on every path.
  EXPECT_EQ(op.job_name, "my_job");
  EXPECT_EQ(op.labels.at("operator_name"), "Map");
  EXPECT_EQ(op.labels.at("subtask_index"), "3");
  EXPECT_FALSE(op.labels.count("job_id"));
  EXPECT_DOUBLE_EQ(op.value, 55);
  EXPECT_EQ(op.timestamp_ms, 1234);
  EXPECT_EQ(op.source, "push:x");
  EXPECT_EQ(op.cluster, "yarn-1");

  EXPECT_EQ(sink.samples[1].scope, v1::SCOPE_JOBMANAGER_JOB);
  EXPECT_EQ(sink.samples[1].metric, "numRestarts");

  // A TaskManager's own metrics carry no job, and the normalizer gives
  // them none: process attribution (gateway/attribute/) does, by evidence.
  EXPECT_EQ(sink.samples[2].scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(sink.samples[2].metric, "Status_JVM_CPU_Load");
  EXPECT_EQ(sink.samples[2].job_name, "");
  EXPECT_EQ(sink.samples[2].job_id, "");

  EXPECT_EQ(sink.samples[3].scope, v1::SCOPE_UNSPECIFIED);
  EXPECT_EQ(sink.samples[3].metric, "jvm_threads");
}

TEST(PromNormalizerTest, SummaryQuantilesAndCount) {
  RecordingSink sink = Normalize(
      "# TYPE flink_taskmanager_job_latency summary\n"
      "flink_taskmanager_job_latency{job_name=\"j\",quantile=\"0.99\",} 12.0\n"
      "flink_taskmanager_job_latency_count{job_name=\"j\",} 40.0\n");
  ASSERT_EQ(sink.samples.size(), 2u);
  EXPECT_EQ(sink.samples[0].metric, "latency");
  EXPECT_EQ(sink.samples[0].type, SampleType::kSummary);
  EXPECT_EQ(sink.samples[0].quantile, "0.99");
  EXPECT_FALSE(sink.samples[0].labels.count("quantile"));
  EXPECT_EQ(sink.samples[1].quantile, "count");
}

TEST(PromNormalizerTest, LabelsDecideTheScopeWhenTheNameIsAmbiguous) {
  std::vector<LabelView> tm_labels = {{"host", "h"}, {"tm_id", "t"}};
  v1::Scope scope;
  std::string_view metric;
  // A TaskManager metric whose own name begins with "job_" has no job labels.
  ASSERT_TRUE(SplitFlinkFamily("flink_taskmanager_job_queue", tm_labels, &scope, &metric));
  EXPECT_EQ(scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(metric, "job_queue");
  EXPECT_FALSE(SplitFlinkFamily("jvm_memory", tm_labels, &scope, &metric));
}

TEST(PromNormalizerTest, StripsFlinksRandomJobNameSuffix) {
  EXPECT_EQ(StripRandomJobNameSuffix("orders0123456789abcdef0123456789abcdef"), "orders");
  EXPECT_EQ(StripRandomJobNameSuffix("orders"), "orders");
  EXPECT_EQ(StripRandomJobNameSuffix("ordersXYZ3456789abcdef0123456789abcdef"),
            "ordersXYZ3456789abcdef0123456789abcdef");
}

}  // namespace
}  // namespace vitals::gateway
