#include "gateway/receivers/promtext/parser.h"

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/receivers/promtext/allocation_counter.h"
#include "test/unit/gateway/receivers/promtext/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::RecordedSample;
using testing::RecordingSink;

// What PrometheusPushGatewayReporter PUTs (simpleclient's TextFormat 0.0.4):
// HELP/TYPE per family, every label followed by a comma, Java's
// Double.toString, NaN and infinities, histograms as summaries.
constexpr std::string_view kFlinkBody =
    "# HELP flink_jobmanager_job_numRestarts numRestarts (scope: jobmanager_job)\n"
    "# TYPE flink_jobmanager_job_numRestarts gauge\n"
    "flink_jobmanager_job_numRestarts{job_id=\"3e2ca9a5e2c4f4a8e5f2a6c9b7d1e0f2\",host=\"172_18_0_"
    "7\",job_name=\"orders_enrichment\",} 2.0\n"
    "# HELP flink_jobmanager_job_lastCheckpointSize lastCheckpointSize (scope: jobmanager_job)\n"
    "# TYPE flink_jobmanager_job_lastCheckpointSize gauge\n"
    "flink_jobmanager_job_lastCheckpointSize{job_id=\"3e2ca9a5e2c4f4a8e5f2a6c9b7d1e0f2\",host="
    "\"172_18_0_7\",job_name=\"orders_enrichment\",} 5.5132808E7\n"
    "# HELP flink_taskmanager_job_task_busyTimeMsPerSecond busyTimeMsPerSecond (scope: "
    "taskmanager_job_task)\n"
    "# TYPE flink_taskmanager_job_task_busyTimeMsPerSecond gauge\n"
    "flink_taskmanager_job_task_busyTimeMsPerSecond{job_id=\"3e2ca9a5e2c4f4a8e5f2a6c9b7d1e0f2\","
    "task_id=\"cbc357ccb763df2852fee8c4fc7d55f2\",task_attempt_id="
    "\"4f8b0c5e1d2a3b4c5d6e7f8091a2b3c4\",host=\"172_18_0_7\",task_name=\"Source:_orders\","
    "task_attempt_num=\"0\",job_name=\"orders_enrichment\",tm_id=\"172_18_0_7:6122_f1c2d3\","
    "subtask_index=\"0\",} NaN\n"
    "# HELP flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max "
    "records_lag_max (scope: taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer)\n"
    "# TYPE flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max "
    "gauge\n"
    "flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max{job_id="
    "\"3e2ca9a5e2c4f4a8e5f2a6c9b7d1e0f2\",operator_name=\"Source:_orders\",subtask_index=\"0\",} "
    "-Inf\n"
    "# HELP flink_taskmanager_job_task_operator_processingTime processingTime (scope: "
    "taskmanager_job_task_operator)\n"
    "# TYPE flink_taskmanager_job_task_operator_processingTime summary\n"
    "flink_taskmanager_job_task_operator_processingTime_count{job_id=\"3e2c\",operator_name="
    "\"Map\",subtask_index=\"1\",} 1024.0\n"
    "flink_taskmanager_job_task_operator_processingTime{job_id=\"3e2c\",operator_name=\"Map\","
    "subtask_index=\"1\",quantile=\"0.5\",} 12.0\n"
    "flink_taskmanager_job_task_operator_processingTime{job_id=\"3e2c\",operator_name=\"Map\","
    "subtask_index=\"1\",quantile=\"0.999\",} 1.0E-4\n";

absl::Status Parse(std::string_view body, RecordingSink& sink,
                   TextFormat format = TextFormat::kPrometheus004, PromTextLimits limits = {}) {
  PromTextParser parser(format, limits);
  return parser.Parse(body, sink);
}

TEST(PromText004, ReadsWhatFlinksPushGatewayReporterWrites) {
  RecordingSink sink;
  ASSERT_TRUE(Parse(kFlinkBody, sink).ok());
  ASSERT_EQ(sink.samples.size(), 7u);

  const RecordedSample& restarts = sink.samples[0];
  EXPECT_EQ(restarts.name, "flink_jobmanager_job_numRestarts");
  EXPECT_EQ(restarts.family, "flink_jobmanager_job_numRestarts");
  EXPECT_EQ(restarts.type, SampleType::kGauge);
  EXPECT_THAT(restarts.labels,
              ElementsAre(Pair("job_id", "3e2ca9a5e2c4f4a8e5f2a6c9b7d1e0f2"),
                          Pair("host", "172_18_0_7"), Pair("job_name", "orders_enrichment")));
  EXPECT_EQ(restarts.value, 2.0);
  EXPECT_FALSE(restarts.has_timestamp);

  EXPECT_EQ(sink.samples[1].value, 55132808.0);
  EXPECT_TRUE(std::isnan(sink.samples[2].value));
  EXPECT_EQ(sink.samples[2].labels.size(), 9u);
  EXPECT_EQ(*sink.samples[2].Label("tm_id"), "172_18_0_7:6122_f1c2d3");
  EXPECT_TRUE(std::isinf(sink.samples[3].value));
  EXPECT_LT(sink.samples[3].value, 0);

  const RecordedSample& count = sink.samples[4];
  EXPECT_EQ(count.name, "flink_taskmanager_job_task_operator_processingTime_count");
  EXPECT_EQ(count.family, "flink_taskmanager_job_task_operator_processingTime");
  EXPECT_EQ(count.type, SampleType::kSummary);
  EXPECT_EQ(count.value, 1024.0);
  const RecordedSample& p999 = sink.samples[6];
  EXPECT_EQ(p999.family, "flink_taskmanager_job_task_operator_processingTime");
  EXPECT_EQ(p999.type, SampleType::kSummary);
  EXPECT_EQ(*p999.Label("quantile"), "0.999");
  EXPECT_EQ(p999.value, 1.0e-4);
}

TEST(PromText004, SignedInfinitiesAndIntegerTimestamps) {
  RecordingSink sink;
  ASSERT_TRUE(Parse("a +Inf 1700000000123\nb -inf -5\nc Infinity\nd 08 +7\n", sink).ok());
  ASSERT_EQ(sink.samples.size(), 4u);
  EXPECT_TRUE(std::isinf(sink.samples[0].value) && sink.samples[0].value > 0);
  EXPECT_EQ(sink.samples[0].timestamp_ms, 1700000000123);
  EXPECT_TRUE(std::isinf(sink.samples[1].value) && sink.samples[1].value < 0);
  EXPECT_EQ(sink.samples[1].timestamp_ms, -5);
  EXPECT_TRUE(std::isinf(sink.samples[2].value) && sink.samples[2].value > 0);
  EXPECT_FALSE(sink.samples[2].has_timestamp);
  EXPECT_EQ(sink.samples[3].value, 8);
  EXPECT_EQ(sink.samples[3].timestamp_ms, 7);
}

TEST(PromText004, RejectsNumbersOutsideTheGrammar) {
  for (std::string_view value :
       {"0x1p-3", "1_000", "+NaN", "nan(1)", "1e", "--1", "1e999", ".", "1.2.3", "12abc"}) {
    RecordingSink sink;
    EXPECT_FALSE(Parse("a " + std::string(value) + "\n", sink).ok()) << value;
  }
  RecordingSink sink;
  ASSERT_TRUE(Parse("a 1e-999\n", sink).ok());  // underflow reads as 0, like Go
  EXPECT_EQ(sink.samples[0].value, 0);
}

TEST(PromText004, UnescapesLabelValuesAndKeepsEveryViewValid) {
  // Several escaped values in one sample, long enough that a growing buffer
  // would have moved under the earlier ones.
  const std::string long_part(300, 'x');
  std::string body = "warm{v=\"a\\\\b\"} 1\nm{";
  for (int i = 0; i < 8; ++i) {
    body += "l" + std::to_string(i) + "=\"" + long_part + "\\\"" + std::to_string(i) + "\\n\",";
  }
  body += "plain=\"p\"} 2\n";
  RecordingSink sink;
  ASSERT_TRUE(Parse(body, sink).ok());
  ASSERT_EQ(sink.samples.size(), 2u);
  EXPECT_EQ(*sink.samples[0].Label("v"), "a\\b");
  ASSERT_EQ(sink.samples[1].labels.size(), 9u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(sink.samples[1].labels[i].second, long_part + "\"" + std::to_string(i) + "\n");
  }
  EXPECT_EQ(*sink.samples[1].Label("plain"), "p");
}

// Checks, during OnSample, that unescaped text is a view into the body.
class ZeroCopySink : public SampleSink {
 public:
  explicit ZeroCopySink(std::string_view body) : body_(body) {}
  void OnSample(const SampleView& s) override {
    EXPECT_TRUE(Inside(s.name));
    EXPECT_TRUE(Inside(s.family));
    for (const LabelView& l : s.labels) {
      EXPECT_TRUE(Inside(l.name));
      EXPECT_EQ(Inside(l.value), l.value.find('"') == std::string_view::npos) << l.value;
    }
    ++samples;
  }
  int samples = 0;

 private:
  bool Inside(std::string_view v) const {
    return v.data() >= body_.data() && v.data() + v.size() <= body_.data() + body_.size();
  }
  std::string_view body_;
};

TEST(PromText004, NamesAndPlainValuesAreViewsIntoTheBody) {
  const std::string body =
      "# TYPE s summary\ns_count{a=\"x\"} 1\ns{a=\"x\",quantile=\"0.5\"} 2\n"
      "q{a=\"with \\\"quote\\\"\",b=\"plain\"} 3\n";
  ZeroCopySink sink(body);
  PromTextParser parser(TextFormat::kPrometheus004);
  ASSERT_TRUE(parser.Parse(body, sink).ok());
  EXPECT_EQ(sink.samples, 3);
}

TEST(PromText004, WhitespaceAndCommentsAsExpfmtAllows) {
  RecordingSink sink;
  ASSERT_TRUE(Parse("\n  # free comment\n#\n# HELP\n\t# TYPE  x   Counter\n"
                    "x {  a = \"1\" ,\tb=\"2\" , }\t7   123\n"
                    "x{}8\n",
                    sink)
                  .ok());
  ASSERT_EQ(sink.samples.size(), 2u);
  EXPECT_EQ(sink.samples[0].type, SampleType::kCounter);
  EXPECT_THAT(sink.samples[0].labels, ElementsAre(Pair("a", "1"), Pair("b", "2")));
  EXPECT_EQ(sink.samples[0].timestamp_ms, 123);
  EXPECT_EQ(sink.samples[1].value, 8);
}

TEST(PromText004, InterleavedFamiliesKeepTheirTypes) {
  RecordingSink sink;
  ASSERT_TRUE(Parse("# TYPE h histogram\n# TYPE s summary\n"
                    "h_bucket{le=\"1\"} 1\ns_sum 3\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 4\n"
                    "s_count 1\nother_sum 5\n",
                    sink)
                  .ok());
  ASSERT_EQ(sink.samples.size(), 7u);
  EXPECT_EQ(sink.samples[0].family, "h");
  EXPECT_EQ(sink.samples[0].type, SampleType::kHistogram);
  EXPECT_EQ(sink.samples[1].family, "s");
  EXPECT_EQ(sink.samples[1].type, SampleType::kSummary);
  EXPECT_EQ(sink.samples[4].family, "h");
  EXPECT_EQ(sink.samples[6].family, "other_sum");
  EXPECT_EQ(sink.samples[6].type, SampleType::kUntyped);
}

TEST(PromText004, GaugeHistogramUsesSumAndCount) {
  RecordingSink ok_sink;
  ASSERT_TRUE(
      Parse("# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 2\ng_sum 3\ng_count 2\n", ok_sink)
          .ok());
  EXPECT_EQ(ok_sink.samples[1].type, SampleType::kGaugeHistogram);
  RecordingSink sink;
  const absl::Status status =
      Parse("# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 2\ng_gsum 3\n", sink);
  EXPECT_THAT(status.message(), HasSubstr("line 3: \"g_gsum\""));
}

struct ErrorCase {
  std::string_view body;
  std::string_view message;  // LineError text it must contain
};

TEST(PromText004, ErrorsNameTheirLineAndReason) {
  const ErrorCase cases[] = {
      {"a 1\nb 2\nc{x=\"\\t\"} 3\n", "line 3: invalid escape sequence \\t in label value"},
      {"a 1\n\n# TYPE a gauge\n", "line 3: second TYPE line for \"a\", or TYPE after its samples"},
      {"# HELP a x\n# HELP a y\n", "line 2: second HELP line for \"a\""},
      {"a 1\nb 2", "line 2: last line does not end with a line feed"},
      {"a 1 \n", "line 1: trailing whitespace after value"},
      {"ok 1\na{b=\"1\",b=\"2\"} 1\n", "line 2: duplicate label \"b\""},
      {"a{__name__=\"x\"} 1\n", "line 1: label name \"__name__\" is reserved"},
      {"a{b=\"\xff\"} 1\n", "line 1: label value is not valid UTF-8"},
      {"\n\na.b 1\n", "line 3: invalid character in metric name"},
      {"{a=\"b\"} 1\n", "line 1: missing metric name"},
      {"a 1 1.5\n", "line 1: invalid timestamp \"1.5\""},
      {"a 1\r\n", "line 1: invalid value \"1\\r\""},
      {"# TYPE a info\n", "line 1: unknown metric type \"info\""},
      {"# TYPE s summary\ns{quantile=\"x\"} 1\n", "line 2: quantile \"x\" is not a number"},
      {"# TYPE h histogram\nh_bucket 1\n", "line 2: histogram bucket without le"},
      {"# TYPE h histogram\nh_count -1\n", "line 2: histogram bucket and count values"},
      {"a{b=\"1\" c=\"2\"} 1\n", "line 1: expected ',' or '}' after the value of label \"b\""},
  };
  for (const ErrorCase& c : cases) {
    RecordingSink sink;
    const absl::Status status = Parse(c.body, sink);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.body;
  }
}

TEST(PromText004, SamplesBeforeAnErrorAreDelivered) {
  RecordingSink sink;
  EXPECT_FALSE(Parse("a 1\nb 2\nc oops\nd 4\n", sink).ok());
  ASSERT_EQ(sink.samples.size(), 2u);
  EXPECT_EQ(sink.samples[1].name, "b");
}

TEST(PromTextLimits, LineLength) {
  const PromTextLimits limits{.max_line_bytes = 8};
  RecordingSink sink;
  EXPECT_TRUE(Parse("abcd 1.5\n", sink, TextFormat::kPrometheus004, limits).ok());  // 8 bytes
  const absl::Status status = Parse("a 1\nabcde 1.5\n", sink, TextFormat::kPrometheus004, limits);
  EXPECT_THAT(status.message(), HasSubstr("line 2: line longer than 8 bytes"));
  const absl::Status om =
      Parse("a 1\nabcde 1.5\n# EOF\n", sink, TextFormat::kOpenMetrics100, limits);
  EXPECT_THAT(om.message(), HasSubstr("line 2: line longer than 8 bytes"));
}

TEST(PromTextLimits, SampleCount) {
  const PromTextLimits limits{.max_samples = 2};
  RecordingSink sink;
  EXPECT_TRUE(Parse("a 1\n# x\nb 2\n", sink, TextFormat::kPrometheus004, limits).ok());
  RecordingSink over;
  const absl::Status status = Parse("a 1\nb 2\nc 3\n", over, TextFormat::kPrometheus004, limits);
  EXPECT_THAT(status.message(), HasSubstr("line 3: more than 2 samples"));
  EXPECT_EQ(over.samples.size(), 2u);
}

TEST(PromTextLimits, LabelCount) {
  const PromTextLimits limits{.max_labels = 2};
  RecordingSink sink;
  EXPECT_TRUE(Parse("a{x=\"1\",y=\"2\"} 1\n", sink, TextFormat::kPrometheus004, limits).ok());
  EXPECT_THAT(
      Parse("a{x=\"1\",y=\"2\",z=\"3\"} 1\n", sink, TextFormat::kPrometheus004, limits).message(),
      HasSubstr("line 1: more than 2 labels"));
  EXPECT_THAT(
      Parse("a{x=\"1\",y=\"2\",z=\"3\"} 1\n# EOF\n", sink, TextFormat::kOpenMetrics100, limits)
          .message(),
      HasSubstr("line 1: more than 2 labels"));
}

TEST(PromTextParser, ReuseStartsEachBodyAfresh) {
  PromTextParser parser(TextFormat::kPrometheus004);
  RecordingSink first;
  ASSERT_TRUE(parser.Parse("# TYPE foo counter\nfoo 1\n", first).ok());
  RecordingSink second;
  ASSERT_TRUE(parser.Parse("foo 2\n", second).ok());
  EXPECT_EQ(second.samples[0].type, SampleType::kUntyped);
  RecordingSink third;
  ASSERT_TRUE(parser.Parse("# TYPE foo counter\nfoo 3\n", third).ok());  // no "second TYPE"
  EXPECT_EQ(third.samples[0].type, SampleType::kCounter);

  PromTextParser om(TextFormat::kOpenMetrics100);
  RecordingSink sink;
  ASSERT_TRUE(om.Parse("# TYPE a counter\na_total 1\n# EOF\n", sink).ok());
  ASSERT_TRUE(om.Parse("# TYPE a counter\na_total 2\n# EOF\n", sink).ok());  // no clash
}

// Sums values without touching the heap.
class CountingSink : public SampleSink {
 public:
  void OnSample(const SampleView& s) override {
    ++samples;
    labels += s.labels.size();
  }
  size_t samples = 0;
  size_t labels = 0;
};

TEST(PromTextParser, SteadyStateParsingDoesNotAllocate) {
  std::string body(kFlinkBody);
  for (int i = 0; i < 50; ++i) {
    body += "# TYPE fam" + std::to_string(i) + " gauge\n";
    body += "fam" + std::to_string(i) + "{a=\"x\\\"y\",b=\"" + std::string(i * 10, 'z') + "\",} " +
            std::to_string(i) + ".5\n";
  }
  std::string om_body =
      "# TYPE h histogram\nh_bucket{le=\"1\",a=\"1\"} 0\nh_bucket{le=\"+Inf\",a=\"1\"} 1 # "
      "{t=\"x\"} "
      "0.5\nh_count{a=\"1\"} 1\nh_sum{a=\"1\"} 0.5\n";
  for (int i = 0; i < 50; ++i) om_body += "g" + std::to_string(i) + "{x=\"\\z\"} 1 1.5\n";
  om_body += "# EOF\n";

  for (auto [format, text] : {std::pair{TextFormat::kPrometheus004, std::string_view(body)},
                              std::pair{TextFormat::kOpenMetrics100, std::string_view(om_body)}}) {
    PromTextParser parser(format);
    CountingSink warm;
    ASSERT_TRUE(parser.Parse(text, warm).ok());
    CountingSink sink;
    size_t allocations;
    absl::Status status;
    {
      testing::ScopedAllocationCounter counter;
      status = parser.Parse(text, sink);
      allocations = counter.count();
    }
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_EQ(sink.samples, warm.samples);
    EXPECT_EQ(allocations, 0u) << "format " << static_cast<int>(format);
  }
}

// --- OpenMetrics ------------------------------------------------------------

TEST(OpenMetrics, FamiliesTypesAndSecondsTimestamps) {
  RecordingSink sink;
  const absl::Status status = Parse(
      "# TYPE foo_seconds counter\n# UNIT foo_seconds seconds\n# HELP foo_seconds Help \\n\n"
      "foo_seconds_total{a=\"1\"} 17.0 1520879607.789 # {trace_id=\"abc\"} 0.5 1520879607.7\n"
      "foo_seconds_created{a=\"1\"} 1520430000.123 1520879607.789\n"
      "# TYPE st stateset\nst{st=\"on\"} 1\nst{st=\"off\"} 0\n"
      "bare -1.5 -1.5\n"
      "# EOF\n",
      sink, TextFormat::kOpenMetrics100);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(sink.samples.size(), 5u);
  EXPECT_EQ(sink.samples[0].family, "foo_seconds");
  EXPECT_EQ(sink.samples[0].type, SampleType::kCounter);
  EXPECT_EQ(sink.samples[0].timestamp_ms, 1520879607789);
  EXPECT_EQ(sink.samples[1].name, "foo_seconds_created");
  EXPECT_EQ(sink.samples[1].family, "foo_seconds");
  EXPECT_EQ(sink.samples[2].type, SampleType::kStateSet);
  EXPECT_EQ(sink.samples[4].family, "bare");
  EXPECT_EQ(sink.samples[4].type, SampleType::kUntyped);
  EXPECT_EQ(sink.samples[4].timestamp_ms, -1500);
}

TEST(OpenMetrics, HugeTimestampsSaturate) {
  RecordingSink sink;
  ASSERT_TRUE(
      Parse("a 1 12345678901234567890.5\nb 1 -1e300\n# EOF", sink, TextFormat::kOpenMetrics100)
          .ok());
  EXPECT_EQ(sink.samples[0].timestamp_ms, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(sink.samples[1].timestamp_ms, std::numeric_limits<int64_t>::min());
}

TEST(OpenMetrics, KeepsUnknownEscapesAsWritten) {
  RecordingSink sink;
  ASSERT_TRUE(
      Parse("a{x=\"b\\\\a\\z\",y=\"q\\\"\\n\"} 1\n# EOF\n", sink, TextFormat::kOpenMetrics100)
          .ok());
  EXPECT_EQ(*sink.samples[0].Label("x"), "b\\a\\z");
  EXPECT_EQ(*sink.samples[0].Label("y"), "q\"\n");
}

TEST(OpenMetrics, IsStricterThan004WhereTheSpecSaysSo) {
  // Each body is fine as 0.0.4 and wrong as OpenMetrics, for the reason given.
  const ErrorCase cases[] = {
      {"a{b=\"1\",} 1\n# EOF\n", "line 1: invalid label name"},
      {"a  1\n# EOF\n", "line 1: invalid value \"\""},
      {"a 1\n\n# EOF\n", "line 2: blank line"},
      {"a 1\n", "line 1: missing # EOF"},
      {"# comment\na 1\n# EOF\n", "line 1: only # HELP, # TYPE, # UNIT and # EOF"},
      {"a 1\nb 1\na 2\n# EOF\n", "line 4: family \"a\" repeats or clashes"},
      {"# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 1\n# EOF\n",
       "line 4: samples of \"a\" interleave"},
      {"# TYPE a counter\na_total -1\n# EOF\n", "line 2: _total must not be negative"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n# EOF\n",
       "line 5: histogram \"h\" lacks its +Inf bucket"},
  };
  for (const ErrorCase& c : cases) {
    RecordingSink sink;
    const std::string body_004(c.body.substr(0, c.body.find("# EOF")));
    EXPECT_TRUE(Parse(body_004, sink).ok()) << c.body;
    const absl::Status status = Parse(c.body, sink, TextFormat::kOpenMetrics100);
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.body;
  }
}

TEST(OpenMetrics, NothingAfterEof) {
  RecordingSink sink;
  EXPECT_TRUE(Parse("a 1\n# EOF", sink, TextFormat::kOpenMetrics100).ok());
  EXPECT_THAT(Parse("a 1\n# EOF\n\n", sink, TextFormat::kOpenMetrics100).message(),
              HasSubstr("line 3: text after # EOF"));
}

TEST(TextFormatFromContentType, PicksOpenMetricsByMediaType) {
  EXPECT_EQ(TextFormatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            TextFormat::kOpenMetrics100);
  EXPECT_EQ(TextFormatFromContentType(" Application/OpenMetrics-Text ;version=0.0.1"),
            TextFormat::kOpenMetrics100);
  EXPECT_EQ(TextFormatFromContentType("text/plain; version=0.0.4; charset=utf-8"),
            TextFormat::kPrometheus004);
  EXPECT_EQ(TextFormatFromContentType("application/openmetrics-textx"), TextFormat::kPrometheus004);
  EXPECT_EQ(TextFormatFromContentType(""), TextFormat::kPrometheus004);
}

}  // namespace
}  // namespace vitals::gateway
