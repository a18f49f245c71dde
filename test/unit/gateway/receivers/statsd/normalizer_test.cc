#include "gateway/receivers/statsd/normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kOp[] = "10.0.0.7.taskmanager.orders-taskmanager-1-1.orders.Map.3.";
constexpr char kTask[] = "10.0.0.7.taskmanager.orders-taskmanager-1-1.orders.Source- k -> Map.3.";
constexpr char kTm[] = "10.0.0.7.taskmanager.orders-taskmanager-1-1.";
constexpr char kJmJob[] = "10.0.0.5.jobmanager.orders.";
constexpr char kJm[] = "10.0.0.5.jobmanager.";

class StatsdNormalizerTest : public ::testing::Test {
 protected:
  void SetUp() override { Make({}); }

  void Make(StatsdNormalizerOptions options) {
    auto normalizer = StatsdNormalizer::Create(std::move(options), &sink_);
    ASSERT_TRUE(normalizer.ok()) << normalizer.status();
    normalizer_ = std::move(*normalizer);
  }

  // One datagram from `sender`.
  void Send(std::string_view payload, std::string_view sender = "10.0.0.7:40000") {
    normalizer_->BeginDatagram(sender, now_ms_);
    parser_.Parse(payload, *normalizer_);
  }

  std::vector<double> Values(std::string_view metric) const {
    std::vector<double> out;
    for (const RecordedSample& s : sink_.samples) {
      if (s.metric == metric) out.push_back(s.value);
    }
    return out;
  }

  RecordingSink sink_;
  StatsdParser parser_;
  std::unique_ptr<StatsdNormalizer> normalizer_;
  int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(StatsdNormalizerTest, OperatorGaugeGetsScopeLabelsAndFilteredValues) {
  Send(std::string(kOp) + "currentOutputWatermark:1700000000000|g");
  ASSERT_EQ(sink_.samples.size(), 1u);
  const RecordedSample& s = sink_.samples[0];
  EXPECT_EQ(s.scope, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  EXPECT_EQ(s.metric, "currentOutputWatermark");
  EXPECT_EQ(s.job_name, "orders");
  EXPECT_EQ(s.job_id, "");  // not in the default scope formats
  EXPECT_THAT(s.labels,
              ElementsAre(Pair("host", "10_0_0_7"), Pair("operator_name", "Map"),
                          Pair("subtask_index", "3"), Pair("tm_id", "orders_taskmanager_1_1")));
  EXPECT_EQ(s.type, SampleType::kGauge);
  EXPECT_EQ(s.value, 1.7e12);
  EXPECT_EQ(s.timestamp_ms, now_ms_);
  EXPECT_EQ(s.source, "statsd:10.0.0.7:40000");
  EXPECT_EQ(normalizer_->stats().lines, 1u);
}

TEST_F(StatsdNormalizerTest, MetricPathBecomesTheCanonicalName) {
  Send(std::string(kTm) + "Status.JVM.GarbageCollector.G1 Young Generation.Count:12|g\n" + kOp +
       "KafkaSourceReader.KafkaConsumer.records-lag-max:3.5|g");
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[0].scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(sink_.samples[0].metric, "Status_JVM_GarbageCollector_G1_Young_Generation_Count");
  EXPECT_EQ(sink_.samples[1].metric, "KafkaSourceReader_KafkaConsumer_records_lag_max");
}

TEST_F(StatsdNormalizerTest, MeterRateIsTheMeterGaugeAndItsCountIsDropped) {
  Send(std::string(kOp) + "numRecordsInPerSecond.rate:1523.4|g\n" + kOp +
       "numRecordsInPerSecond.count:98765|g");
  ASSERT_EQ(sink_.samples.size(), 1u);
  EXPECT_EQ(sink_.samples[0].metric, "numRecordsInPerSecond");
  EXPECT_EQ(sink_.samples[0].type, SampleType::kGauge);
  EXPECT_DOUBLE_EQ(sink_.samples[0].value, 1523.4);
  EXPECT_EQ(normalizer_->stats().meter_counts, 1u);
}

TEST_F(StatsdNormalizerTest, MeterCountsCanBeKeptAsCounters) {
  StatsdNormalizerOptions options;
  options.meter_counts = true;
  Make(options);
  // A user meter whose name says nothing: known by its `.rate`.
  Send(std::string(kOp) + "myEvents.rate:2.5|g\n" + kOp + "myEvents.count:40|g");
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[1].metric, "myEvents_count");
  EXPECT_EQ(sink_.samples[1].type, SampleType::kCounter);
  EXPECT_EQ(sink_.samples[1].value, 40);
}

TEST_F(StatsdNormalizerTest, HistogramBecomesSummarySamplesLikeThePrometheusPath) {
  const std::string base = std::string(kOp) + "myLatency.";
  std::string lines;
  for (const char* line : {"count:100", "max:97", "min:1", "mean:12.5", "stddev:3.25", "p50:11.0",
                           "p75:15.5", "p95:40.0", "p98:61.0", "p99:80.0", "p999:97.0"}) {
    lines += base + line + "|g\n";
  }
  Send(lines);
  std::map<std::string, double> quantiles;
  for (const RecordedSample& s : sink_.samples) {
    EXPECT_EQ(s.metric, "myLatency");
    EXPECT_EQ(s.type, SampleType::kSummary);
    quantiles[s.quantile] = s.value;
  }
  EXPECT_THAT(quantiles,
              ElementsAre(Pair("0.0", 1), Pair("0.5", 11), Pair("0.75", 15.5), Pair("0.95", 40),
                          Pair("0.98", 61), Pair("0.99", 80), Pair("0.999", 97), Pair("1.0", 97),
                          Pair("count", 100), Pair("mean", 12.5), Pair("stddev", 3.25)));
}

TEST_F(StatsdNormalizerTest, KeyValueGroupsBecomeLabels) {
  Send(std::string(kOp) + "KafkaSourceReader.topic.orders.v2.partition.3.currentOffset:77|g\n" +
       "10.0.0.7.taskmanager.orders-taskmanager-1-1.orders.latency.source_id."
       "cbc357ccb763df2852fee8c4fc7d55f2.operator_id.ea632d67b7d595e5b851708ae9ad79d6."
       "operator_subtask_index.2.latency.p99:8.0|g");
  ASSERT_EQ(sink_.samples.size(), 2u);
  const RecordedSample& offset = sink_.samples[0];
  EXPECT_EQ(offset.metric, "KafkaSourceReader_topic_partition_currentOffset");
  EXPECT_EQ(offset.labels.at("topic"), "orders_v2");
  EXPECT_EQ(offset.labels.at("partition"), "3");
  const RecordedSample& latency = sink_.samples[1];
  EXPECT_EQ(latency.scope, v1::SCOPE_TASKMANAGER_JOB);
  EXPECT_EQ(latency.metric, "latency_source_id_operator_id_operator_subtask_index_latency");
  EXPECT_EQ(latency.quantile, "0.99");
  EXPECT_EQ(latency.labels.at("source_id"), "cbc357ccb763df2852fee8c4fc7d55f2");
  EXPECT_EQ(latency.labels.at("operator_id"), "ea632d67b7d595e5b851708ae9ad79d6");
  EXPECT_EQ(latency.labels.at("operator_subtask_index"), "2");
}

TEST_F(StatsdNormalizerTest, RepeatedGaugeIsRecordedOnce) {
  // Flink 1.14+ sends every numeric gauge twice.
  Send(std::string(kTask) + "busyTimeMsPerSecond:412.5|g");
  Send(std::string(kTask) + "busyTimeMsPerSecond:412.5|g");
  EXPECT_THAT(Values("busyTimeMsPerSecond"), ElementsAre(412.5));
  EXPECT_EQ(normalizer_->stats().repeats, 1u);
  // The next report's equal value is a new reading.
  now_ms_ += 10'000;
  Send(std::string(kTask) + "busyTimeMsPerSecond:412.5|g");
  EXPECT_THAT(Values("busyTimeMsPerSecond"), ElementsAre(412.5, 412.5));
}

TEST_F(StatsdNormalizerTest, ZeroBeforeNegativeIsNotAReading) {
  const std::string lag = std::string(kOp) + "currentEmitEventTimeLag:";
  // Flink 1.14+: reset, value, repeat. Each its own datagram, as Flink sends.
  Send(lag + "0|g");
  EXPECT_THAT(Values("currentEmitEventTimeLag"), IsEmpty());  // held
  Send(lag + "-1|g");
  Send(lag + "-1|g");
  normalizer_->ReleaseHeld(std::numeric_limits<int64_t>::max());
  EXPECT_THAT(Values("currentEmitEventTimeLag"), ElementsAre(-1));
  EXPECT_EQ(normalizer_->stats().reset_zeros, 1u);
  // -Infinity (records-lag-max before the first fetch) also comes after a 0.
  Send(std::string(kOp) + "KafkaSourceReader.KafkaConsumer.records-lag-max:0|g\n" + kOp +
       "KafkaSourceReader.KafkaConsumer.records-lag-max:-Infinity|g");
  EXPECT_THAT(Values("KafkaSourceReader_KafkaConsumer_records_lag_max"),
              ElementsAre(-std::numeric_limits<double>::infinity()));
}

TEST_F(StatsdNormalizerTest, HeldZeroIsAReadingWhenTheSenderMovesOn) {
  // A counter at zero, then another metric of the same sender.
  Send(std::string(kJmJob) + "numRestarts:0|g");
  Send(std::string(kJmJob) + "numberOfCompletedCheckpoints:4|g");
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[0].metric, "numRestarts");
  EXPECT_EQ(sink_.samples[0].value, 0);
  EXPECT_EQ(sink_.samples[0].timestamp_ms, now_ms_);
  // A repeated zero gauge (1.14+) is one reading.
  Send(std::string(kTask) + "backPressuredTimeMsPerSecond:0|g\n" + kTask +
       "backPressuredTimeMsPerSecond:0|g");
  EXPECT_THAT(Values("backPressuredTimeMsPerSecond"), ElementsAre(0));
  // A "0.0" is a double reading, never Flink's reset.
  Send(std::string(kTm) + "Status.JVM.CPU.Load:0.0|g");
  EXPECT_THAT(Values("Status_JVM_CPU_Load"), ElementsAre(0));
}

TEST_F(StatsdNormalizerTest, HeldZeroIsReleasedAfterTheHoldTime) {
  Send(std::string(kJmJob) + "numRestarts:0|g");
  const int64_t arrived = now_ms_;
  EXPECT_EQ(normalizer_->ReleaseHeld(arrived + 50), 0u);
  EXPECT_TRUE(normalizer_->has_held());
  EXPECT_EQ(normalizer_->ReleaseHeld(arrived + 100), 1u);
  EXPECT_FALSE(normalizer_->has_held());
  ASSERT_EQ(sink_.samples.size(), 1u);
  EXPECT_EQ(sink_.samples[0].timestamp_ms, arrived);  // its arrival, not the release
}

TEST_F(StatsdNormalizerTest, HoldsArePerSender) {
  // Another sender's line in between does not settle the first one's 0.
  Send(std::string(kOp) + "currentEmitEventTimeLag:0|g", "10.0.0.7:40000");
  Send(std::string(kTm) + "Status.JVM.CPU.Load:0.5|g", "10.0.0.8:40000");
  Send(std::string(kOp) + "currentEmitEventTimeLag:-1|g", "10.0.0.7:40000");
  EXPECT_THAT(Values("currentEmitEventTimeLag"), ElementsAre(-1));
}

TEST_F(StatsdNormalizerTest, ProcessLevelLinesNameNoJob) {
  // Process attribution (gateway/attribute/) gives them the jobs the same
  // sender's job-scoped lines name.
  const std::string jm_sender = "10.0.0.5:41000";
  Send(std::string(kJmJob) + "lastCheckpointDuration:412|g", jm_sender);
  Send(std::string(kJm) + "Status.JVM.CPU.Load:0.5|g", jm_sender);
  ASSERT_EQ(sink_.samples.size(), 2u);
  EXPECT_EQ(sink_.samples[0].job_name, "orders");
  EXPECT_EQ(sink_.samples[1].scope, v1::SCOPE_JOBMANAGER);
  EXPECT_EQ(sink_.samples[1].job_name, "");
  EXPECT_EQ(sink_.samples[1].source, "statsd:" + jm_sender);
  EXPECT_THAT(sink_.samples[1].labels, ElementsAre(Pair("host", "10_0_0_5")));
}

TEST_F(StatsdNormalizerTest, TextValuesBadLinesAndUnknownIdentifiersAreCounted) {
  Send(std::string(kJmJob) + "lastCheckpointExternalPath:s3://ckpt/chk-7|g\n" + kTask +
       "isBackPressured:true|g\n" + "not-a-flink-metric:1|g\n" + kOp + "numRecordsIn:5|c\n" +
       "garbage\n" + kOp + "numRecordsIn:5|g");
  const StatsdNormalizerStats& stats = normalizer_->stats();
  EXPECT_EQ(stats.rejected_text, 2u);
  EXPECT_EQ(stats.rejected_scope, 1u);
  EXPECT_EQ(stats.rejected_type, 1u);
  EXPECT_EQ(stats.rejected_syntax, 1u);
  EXPECT_EQ(stats.lines, 1u);
  EXPECT_THAT(Values("numRecordsIn"), ElementsAre(5));
}

TEST_F(StatsdNormalizerTest, DogStatsdTagsAddLabels) {
  Send(std::string(kTm) + "Status.JVM.CPU.Load:0.5|g|#team:data-eng,host:other");
  ASSERT_EQ(sink_.samples.size(), 1u);
  // The identifier's host wins over the tag's.
  EXPECT_THAT(sink_.samples[0].labels,
              ElementsAre(Pair("host", "10_0_0_7"), Pair("team", "data_eng"),
                          Pair("tm_id", "orders_taskmanager_1_1")));
}

TEST_F(StatsdNormalizerTest, IdentifiersAreParsedOncePerCacheLifetime) {
  StatsdNormalizerOptions options;
  options.max_identifiers = 2;
  Make(options);
  for (int i = 0; i < 3; ++i) {
    Send(std::string(kTm) + "Status.JVM.CPU.Load:0." + std::to_string(i + 1) + "|g");
    Send(std::string(kTm) + "Status.JVM.Threads.Count:4" + std::to_string(i) + "|g");
  }
  EXPECT_EQ(normalizer_->stats().identifier_parses, 2u);
  EXPECT_EQ(normalizer_->cached_identifiers(), 2u);
  // A third identifier clears the full cache; the bound holds.
  Send(std::string(kTm) + "Status.JVM.Memory.Heap.Used:1|g");
  EXPECT_EQ(normalizer_->stats().cache_clears, 1u);
  EXPECT_LE(normalizer_->cached_identifiers(), 2u);
  EXPECT_EQ(sink_.samples.size(), 7u);
}

// Each identity remembers the one its sender sent next, and a line is
// first compared with that guess: whatever the order, the interleaving of
// senders or the cache clears, every line must get its own identity.
class StatsdNormalizerOrderTest : public StatsdNormalizerTest,
                                  public ::testing::WithParamInterface<size_t> {
 protected:
  static std::string Tm(int n) {
    return "10.0.0." + std::to_string(n) + ".taskmanager.tm-" + std::to_string(n) + ".";
  }
  static std::string Sender(int n) { return "10.0.0." + std::to_string(n) + ":40000"; }

  // One line of `metric` from TaskManager `tm`, its value telling both.
  void Line(int tm, std::string_view metric, int report) {
    Send(Tm(tm) + std::string(metric) + ":" + std::to_string(tm * 1000 + report) + "|g",
         Sender(tm));
  }

  void ExpectEverySampleIsItsOwnLine(size_t expected) {
    ASSERT_EQ(sink_.samples.size(), expected);
    for (const RecordedSample& s : sink_.samples) {
      const int tm = static_cast<int>(s.value) / 1000;
      EXPECT_EQ(s.labels.at("tm_id"), "tm_" + std::to_string(tm)) << s.metric;
      EXPECT_EQ(s.labels.at("host"), "10_0_0_" + std::to_string(tm)) << s.metric;
      EXPECT_EQ(s.source, "statsd:" + Sender(tm)) << s.metric;
    }
  }
};

TEST_P(StatsdNormalizerOrderTest, LinesKeepTheirIdentityWhateverTheOrder) {
  StatsdNormalizerOptions options;
  options.max_identifiers = GetParam();
  Make(options);
  const std::vector<std::string> usual = {"Status.JVM.CPU.Load", "Status.JVM.Threads.Count",
                                          "Status.JVM.Memory.Heap.Used"};
  const std::vector<std::string> changed = {"Status.JVM.Memory.Heap.Used", "Status.JVM.CPU.Load",
                                            "Status.Shuffle.Netty.UsedMemory",
                                            "Status.JVM.Threads.Count"};
  size_t lines = 0;
  std::vector<std::string> metrics;
  for (int report = 1; report <= 4; ++report) {
    now_ms_ += 10'000;
    const std::vector<std::string>& order = report == 3 ? changed : usual;
    // Two TaskManagers, their lines interleaved as their datagrams meet.
    for (const std::string& metric : order) {
      for (int tm : {1, 2}) {
        Line(tm, metric, report);
        ++lines;
        metrics.push_back(absl::StrReplaceAll(metric, {{".", "_"}}));
      }
    }
    // A third sends the same identifiers' suffixes alone.
    for (const std::string& metric : order) {
      Line(3, metric, report);
      ++lines;
      metrics.push_back(absl::StrReplaceAll(metric, {{".", "_"}}));
    }
  }
  ExpectEverySampleIsItsOwnLine(lines);
  for (size_t i = 0; i < lines; ++i) EXPECT_EQ(sink_.samples[i].metric, metrics[i]) << i;
  if (GetParam() < 4) {
    EXPECT_GT(normalizer_->stats().cache_clears, 0u);
  }
}

// Unbounded, and a cache cleared in the middle of reports.
INSTANTIATE_TEST_SUITE_P(CacheSizes, StatsdNormalizerOrderTest, ::testing::Values(1024, 2));

TEST_F(StatsdNormalizerTest, SendersAreKeyedByBytesAndNamedOnce) {
  StatsdNormalizerOptions options;
  options.max_senders = 2;
  Make(options);
  int named = 0;
  auto from = [&](std::string_view key, std::string name, std::string_view line) {
    normalizer_->BeginDatagram(
        key,
        [&] {
          ++named;
          return name;
        },
        now_ms_);
    parser_.Parse(line, *normalizer_);
  };
  const std::string cpu = std::string(kTm) + "Status.JVM.CPU.Load:";
  from(std::string_view("\x02\x00\x01", 3), "10.0.0.7:1", cpu + "0.1|g");
  from(std::string_view("\x02\x00\x01", 3), "unused", cpu + "0.2|g");
  from(std::string_view("\x02\x00\x02", 3), "10.0.0.7:2", cpu + "0.3|g");
  from(std::string_view("\x02\x00\x01", 3), "unused", cpu + "0.4|g");
  EXPECT_EQ(named, 2);
  // A third sender clears the full table; the first is then new again.
  from(std::string_view("\x02\x00\x03", 3), "10.0.0.7:3", cpu + "0.5|g");
  from(std::string_view("\x02\x00\x01", 3), "10.0.0.7:1", cpu + "0.6|g");
  EXPECT_EQ(named, 4);
  ASSERT_EQ(sink_.samples.size(), 6u);
  const char* sources[] = {"10.0.0.7:1", "10.0.0.7:1", "10.0.0.7:2",
                           "10.0.0.7:1", "10.0.0.7:3", "10.0.0.7:1"};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(sink_.samples[i].source, std::string("statsd:") + sources[i]) << i;
  }
}

TEST_F(StatsdNormalizerTest, ConfiguredDelimiterAndFormats) {
  StatsdNormalizerOptions options;
  options.scope_formats.delimiter = '|';
  options.scope_formats.values_contain_delimiter = false;
  options.scope_formats.operator_ =
      "<host>.taskmanager.<tm_id>.<job_id>.<job_name>.<operator_name>.<subtask_index>";
  Make(options);
  Send(
      "ip-10-0-0-7.ec2.internal|taskmanager|container_e01_1_0001_01_000002|"
      "3f2a9c0e5b7d41c6a8e1f0b2c4d6e8a0|orders.v2|Source- Kafka|0|"
      "KafkaSourceReader|KafkaConsumer|records-lag-max:12|g");
  ASSERT_EQ(sink_.samples.size(), 1u) << normalizer_->stats().rejected_scope;
  const RecordedSample& s = sink_.samples[0];
  EXPECT_EQ(s.metric, "KafkaSourceReader_KafkaConsumer_records_lag_max");
  EXPECT_EQ(s.job_name, "orders_v2");
  EXPECT_EQ(s.job_id, "3f2a9c0e5b7d41c6a8e1f0b2c4d6e8a0");
  EXPECT_EQ(s.labels.at("host"), "ip_10_0_0_7_ec2_internal");
  EXPECT_EQ(s.labels.at("operator_name"), "Source__Kafka");
}

TEST(StatsdNormalizerCreate, RefusesFormatsFlinkRefuses) {
  RecordingSink sink;
  StatsdNormalizerOptions options;
  options.scope_formats.delimiter = ':';
  EXPECT_FALSE(StatsdNormalizer::Create(options, &sink).ok());
}

}  // namespace
}  // namespace vitals::gateway
