#include "gateway/receivers/influx/normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gateway/receivers/influx/parser.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kOpTags[] =
    ",host=10.0.0.7,job_id=3f2a9c0e5b7d41c6a8e1f0b2c4d6e8a0,job_name=Fraud\\ Detection,"
    "operator_id=cbc357ccb763df2852fee8c4fc7d55f2,operator_name=Source:\\ Kafka,subtask_index=0,"
    "task_attempt_id=8f4e,task_attempt_num=0,task_id=bc76,task_name=Source:\\ Kafka\\ ->\\ Map,"
    "tm_id=tm-1";
constexpr char kTmTags[] = ",host=10.0.0.7,tm_id=tm-1";

class InfluxNormalizerTest : public ::testing::Test {
 protected:
  void Write(std::string_view body, InfluxNormalizerOptions options = {}) {
    InfluxNormalizer normalizer(&sink_, options);
    normalizer.Begin("influx:10.0.0.7", now_ms_);
    parser_.Parse(body, InfluxPrecision::kNanoseconds, normalizer);
    stats_ = normalizer.stats();
  }

  RecordingSink sink_;
  InfluxParser parser_;
  InfluxNormalizerStats stats_;
  int64_t now_ms_ = 1'700'000'005'000;
};

TEST_F(InfluxNormalizerTest, CounterPointMapsLikeThePrometheusFamily) {
  Write(std::string("taskmanager_job_task_operator_numRecordsIn") + kOpTags +
        " count=1234567i 1700000000123000000\n");
  ASSERT_EQ(sink_.samples.size(), 1u);
  const RecordedSample& s = sink_.samples[0];
  EXPECT_EQ(s.scope, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  EXPECT_EQ(s.metric, "numRecordsIn");
  EXPECT_EQ(s.job_name, "Fraud_Detection");
  EXPECT_EQ(s.job_id, "3f2a9c0e5b7d41c6a8e1f0b2c4d6e8a0");
  EXPECT_EQ(s.labels.at("operator_name"), "Source__Kafka");  // ':' too, as on every path
  EXPECT_EQ(s.labels.at("task_name"), "Source__Kafka____Map");
  EXPECT_EQ(s.labels.at("host"), "10_0_0_7");
  EXPECT_EQ(s.labels.count("job_name"), 0u);
  EXPECT_EQ(s.labels.size(), 9u);
  EXPECT_EQ(s.type, SampleType::kCounter);  // the one format that says so
  EXPECT_EQ(s.value, 1234567);
  // Intervals go by arrival, as on every other path.
  EXPECT_EQ(s.timestamp_ms, now_ms_);
  EXPECT_EQ(s.source, "influx:10.0.0.7");
}

TEST_F(InfluxNormalizerTest, MeterRateIsTheGaugeAndCountIsDropped) {
  Write(std::string("taskmanager_job_task_operator_numRecordsOutPerSecond") + kOpTags +
        " count=98765i,rate=1645.4166666666667\n");
  ASSERT_EQ(sink_.samples.size(), 1u);
  EXPECT_EQ(sink_.samples[0].metric, "numRecordsOutPerSecond");
  EXPECT_EQ(sink_.samples[0].type, SampleType::kGauge);
  EXPECT_DOUBLE_EQ(sink_.samples[0].value, 1645.4166666666667);
  EXPECT_EQ(stats_.meter_counts, 1u);

  sink_.samples.clear();
  Write(std::string("taskmanager_job_task_operator_numRecordsOutPerSecond") + kOpTags +
            " count=98765i,rate=1.5\n",
        {.meter_counts = true});
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[0].metric, "numRecordsOutPerSecond_count");
  EXPECT_EQ(sink_.samples[0].type, SampleType::kCounter);
}

TEST_F(InfluxNormalizerTest, HistogramFieldsBecomeSummarySamples) {
  Write(std::string("taskmanager_job_task_operator_myLatency") + kOpTags +
        " 50-percentile=11.0,75-percentile=15.5,95-percentile=40.0,98-percentile=61.0,"
        "99-percentile=80.0,999-percentile=97.0,count=100i,max=97i,mean=12.5,min=1i,"
        "run-count=1234i,std-dev=3.25\n");
  std::map<std::string, double> quantiles;
  for (const RecordedSample& s : sink_.samples) {
    EXPECT_EQ(s.metric, "myLatency");
    EXPECT_EQ(s.type, SampleType::kSummary);
    quantiles[s.quantile] = s.value;
  }
  // `count` is the sampling window's size: no Prometheus counterpart.
  EXPECT_THAT(quantiles,
              ElementsAre(Pair("0.0", 1), Pair("0.5", 11), Pair("0.75", 15.5), Pair("0.95", 40),
                          Pair("0.98", 61), Pair("0.99", 80), Pair("0.999", 97), Pair("1.0", 97),
                          Pair("count", 1234), Pair("mean", 12.5), Pair("stddev", 3.25)));
  EXPECT_EQ(stats_.window_sizes, 1u);
}

TEST_F(InfluxNormalizerTest, BooleansAreNumbersOtherTextIsSkipped) {
  Write(std::string("taskmanager_job_task_isBackPressured") + kOpTags + " value=\"true\"\n" +
        "jobmanager_job_lastCheckpointExternalPath,host=h,job_id=j,job_name=orders "
        "value=\"s3://ckpt/chk-7\"\n" +
        "taskmanager_job_task_isBackPressured" + kOpTags + " value=f\n");
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[0].metric, "isBackPressured");
  EXPECT_EQ(sink_.samples[0].value, 1);
  EXPECT_EQ(sink_.samples[1].value, 0);
  EXPECT_EQ(stats_.text_values, 1u);
}

TEST_F(InfluxNormalizerTest, ProcessLevelPointsNameNoJob) {
  // Process attribution (gateway/attribute/) finds their jobs.
  Write(std::string("taskmanager_Status_JVM_CPU_Load") + kTmTags + " value=0.25\n" +
        "taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation_Count" + kTmTags +
        " value=7i\n" + "taskmanager_job_task_operator_numRecordsIn" + kOpTags + " count=5i\n");
  ASSERT_EQ(sink_.samples.size(), 3u);
  EXPECT_EQ(sink_.samples[0].scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(sink_.samples[0].metric, "Status_JVM_CPU_Load");
  EXPECT_EQ(sink_.samples[0].job_name, "");
  EXPECT_THAT(sink_.samples[0].labels,
              ElementsAre(Pair("host", "10_0_0_7"), Pair("tm_id", "tm_1")));
  EXPECT_EQ(sink_.samples[1].metric, "Status_JVM_GarbageCollector_G1_Young_Generation_Count");
  EXPECT_EQ(sink_.samples[1].value, 7);
  EXPECT_EQ(sink_.samples[1].timestamp_ms, now_ms_);
  EXPECT_EQ(sink_.samples[2].job_name, "Fraud_Detection");
}

TEST_F(InfluxNormalizerTest, ScopeFollowsThePrometheusPathsRules) {
  Write(
      "taskmanager_job_latency_source_id_operator_id_operator_subtask_index_latency,host=h,"
      "job_id=j,job_name=orders,operator_id=o,operator_subtask_index=1,source_id=s,tm_id=t "
      "run-count=3i\n"
      "taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records-lag-max"
      ",job_name=orders,operator_name=x value=2.5\n"
      // Without operator labels this is no operator-scope metric.
      "taskmanager_job_task_operator_numRecordsIn,job_name=orders,task_name=t count=1i\n"
      "jobmanager_job_operator_coordinatorMetric,job_name=orders,operator_name=x value=1\n"
      "cpu,host=web-1,cluster=eu usage=0.5,value=2\n",
      InfluxNormalizerOptions{.cluster_override = true});
  ASSERT_EQ(sink_.samples.size(), 6u);
  EXPECT_EQ(sink_.samples[0].scope, v1::SCOPE_TASKMANAGER_JOB);
  EXPECT_EQ(sink_.samples[0].metric,
            "latency_source_id_operator_id_operator_subtask_index_latency");
  EXPECT_EQ(sink_.samples[0].quantile, "count");
  EXPECT_EQ(sink_.samples[1].metric, "KafkaSourceReader_KafkaConsumer_records_lag_max");
  EXPECT_EQ(sink_.samples[2].scope, v1::SCOPE_TASKMANAGER_JOB_TASK);
  EXPECT_EQ(sink_.samples[2].metric, "operator_numRecordsIn");
  EXPECT_EQ(sink_.samples[3].scope, v1::SCOPE_JOBMANAGER_JOB);
  EXPECT_EQ(sink_.samples[3].metric, "operator_coordinatorMetric");
  // Another writer's point: its own name, each field a metric.
  EXPECT_EQ(sink_.samples[4].scope, v1::SCOPE_UNSPECIFIED);
  EXPECT_EQ(sink_.samples[4].metric, "cpu_usage");
  EXPECT_EQ(sink_.samples[4].cluster, "eu");
  EXPECT_EQ(sink_.samples[4].labels.at("cluster"), "eu");
  EXPECT_EQ(sink_.samples[5].metric, "cpu");
}

// Flink's scope.variables.additional can add a `cluster` tag; a client
// must not move its series into another cluster unless the gateway lets
// it, and a tag that is no cluster name (compared as sent, not filtered:
// `k8s-eu` is not `k8s_eu`) never names one.
TEST_F(InfluxNormalizerTest, AClusterTagNamesTheClusterOnlyWithTheOverride) {
  const std::string body =
      "jobmanager_Status_JVM_CPU_Load,host=jm,cluster=k8s-eu value=0.5\n"
      "jobmanager_Status_JVM_CPU_Load,host=jm,cluster=home value=0.5\n"
      "jobmanager_Status_JVM_CPU_Load,host=jm,cluster=bad\\ name value=0.5\n";
  InfluxNormalizerOptions options;
  options.configured_cluster = "home";
  Write(body, options);
  ASSERT_EQ(sink_.samples.size(), 3u);
  for (const RecordedSample& s : sink_.samples) EXPECT_EQ(s.cluster, "") << "the gateway's";
  EXPECT_EQ(sink_.samples[0].labels.at("cluster"), "k8s_eu") << "still a label, filtered";
  EXPECT_EQ(stats_.clusters_ignored, 2u) << "k8s-eu and the bad name; home is the gateway's";

  sink_.samples.clear();
  options.cluster_override = true;
  Write(body, options);
  ASSERT_EQ(sink_.samples.size(), 3u);
  EXPECT_EQ(sink_.samples[0].cluster, "k8s-eu");
  EXPECT_EQ(sink_.samples[1].cluster, "home");
  EXPECT_EQ(sink_.samples[2].cluster, "");
  EXPECT_EQ(stats_.clusters_ignored, 1u) << "only the bad name";
}

}  // namespace
}  // namespace vitals::gateway
