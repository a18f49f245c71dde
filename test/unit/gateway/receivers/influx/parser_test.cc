#include "gateway/receivers/influx/parser.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/receivers/influx/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::OwnedPoint;
using ::testing::Pair;
using testing::RecordingSink;

constexpr int64_t kMs = 1'000'000;

RecordingSink ParseAll(std::string_view body,
                       InfluxPrecision precision = InfluxPrecision::kNanoseconds,
                       InfluxParseOptions options = {}) {
  InfluxParser parser(options);
  RecordingSink sink;
  const size_t accepted = parser.Parse(body, precision, sink);
  EXPECT_EQ(accepted, sink.points.size());
  return sink;
}

// Parses one line that must be accepted.
OwnedPoint ParseOne(std::string_view line,
                    InfluxPrecision precision = InfluxPrecision::kNanoseconds) {
  RecordingSink sink = ParseAll(line, precision);
  EXPECT_TRUE(sink.rejects.empty()) << line << ": " << sink.rejects.front().reason;
  EXPECT_EQ(sink.points.size(), 1u) << line;
  return sink.points.empty() ? OwnedPoint{} : sink.points.front();
}

// Parses one line that must be rejected; returns the reason.
std::string RejectOne(std::string_view line) {
  RecordingSink sink = ParseAll(line);
  EXPECT_TRUE(sink.points.empty()) << line;
  EXPECT_EQ(sink.rejects.size(), 1u) << line;
  return sink.rejects.empty() ? std::string() : sink.rejects.front().reason;
}

// --- Flink's InfluxdbReporter -------------------------------------------------

TEST(InfluxParser, FlinkCounterWithMillisecondPrecision) {
  const OwnedPoint p = ParseOne(
      "taskmanager_job_task_operator_numRecordsIn,host=tm-1.example,job_id=3f2a9c,"
      "job_name=Fraud\\ Detector,operator_id=cbc357cc,operator_name=Source:\\ Kafka,"
      "subtask_index=3,task_attempt_num=0,task_name=Source:\\ Kafka\\ ->\\ Map,"
      "tm_id=tm-1 count=42i 1700000000000",
      InfluxPrecision::kMilliseconds);
  EXPECT_EQ(p.measurement, "taskmanager_job_task_operator_numRecordsIn");
  EXPECT_THAT(p.tags,
              ElementsAre(Pair("host", "tm-1.example"), Pair("job_id", "3f2a9c"),
                          Pair("job_name", "Fraud Detector"), Pair("operator_id", "cbc357cc"),
                          Pair("operator_name", "Source: Kafka"), Pair("subtask_index", "3"),
                          Pair("task_attempt_num", "0"), Pair("task_name", "Source: Kafka -> Map"),
                          Pair("tm_id", "tm-1")));
  ASSERT_EQ(p.fields.size(), 1u);
  EXPECT_EQ(p.fields[0].key, "count");
  EXPECT_EQ(p.fields[0].type, InfluxFieldType::kInteger);
  EXPECT_EQ(p.fields[0].int_value, 42);
  EXPECT_TRUE(p.has_timestamp);
  EXPECT_EQ(p.timestamp_ns, 1700000000000 * kMs);
}

TEST(InfluxParser, FlinkDefaultNanosecondTimestamps) {
  // influxdb-java converts Flink's millisecond time to its batch precision,
  // nanoseconds, and sends `precision=n`.
  const OwnedPoint p =
      ParseOne("jobmanager_job_numRestarts,job_name=etl value=3i 1700000000123000000");
  EXPECT_EQ(p.timestamp_ns, 1700000000123 * kMs);
}

TEST(InfluxParser, FlinkHistogramFields) {
  const OwnedPoint p = ParseOne(
      "taskmanager_job_task_operator_latency,host=h,job_name=j "
      "run-count=1234i,count=100i,min=1i,max=97i,mean=12.5,std-dev=3.25,"
      "50-percentile=11.0,75-percentile=15.5,95-percentile=40.0,98-percentile=61.0,"
      "99-percentile=80.0,999-percentile=97.0 1700000000000",
      InfluxPrecision::kMilliseconds);
  ASSERT_EQ(p.fields.size(), 12u);
  EXPECT_EQ(p.fields[0].key, "run-count");
  EXPECT_EQ(p.fields[0].type, InfluxFieldType::kInteger);
  EXPECT_EQ(p.fields[0].int_value, 1234);
  EXPECT_EQ(p.fields[5].key, "std-dev");
  EXPECT_EQ(p.fields[5].type, InfluxFieldType::kFloat);
  EXPECT_DOUBLE_EQ(p.fields[5].float_value, 3.25);
  EXPECT_EQ(p.fields[6].key, "50-percentile");
  EXPECT_DOUBLE_EQ(p.fields[6].float_value, 11.0);
  EXPECT_EQ(p.fields[11].key, "999-percentile");
  EXPECT_DOUBLE_EQ(p.fields[11].float_value, 97.0);
}

TEST(InfluxParser, FlinkMeterAndGaugeShapes) {
  RecordingSink sink = ParseAll(
      "taskmanager_job_task_numRecordsInPerSecond,job_name=j count=1000i,rate=16.666666666666668 "
      "1700000000000000000\n"
      "jobmanager_job_lastCheckpointExternalPath,job_name=j value=\"s3://ckpt/j/chk-7\" "
      "1700000000000000000\n"
      "taskmanager_job_task_isBackPressured,job_name=j value=false 1700000000000000000\n"
      "taskmanager_Status_JVM_CPU_Load,host=h value=0.2342 1700000000000000000\n");
  ASSERT_TRUE(sink.rejects.empty()) << sink.rejects.front().reason;
  ASSERT_EQ(sink.points.size(), 4u);
  EXPECT_EQ(sink.points[0].fields[1].key, "rate");
  EXPECT_DOUBLE_EQ(sink.points[0].fields[1].float_value, 16.666666666666668);
  EXPECT_EQ(sink.points[1].fields[0].type, InfluxFieldType::kString);
  EXPECT_EQ(sink.points[1].fields[0].string_value, "s3://ckpt/j/chk-7");
  EXPECT_EQ(sink.points[2].fields[0].type, InfluxFieldType::kBoolean);
  EXPECT_FALSE(sink.points[2].fields[0].bool_value);
  EXPECT_DOUBLE_EQ(sink.points[3].fields[0].float_value, 0.2342);
}

TEST(InfluxParser, EmptyLinesFromDroppedNaNPointsAreSkipped) {
  // influxdb-java drops NaN/Inf fields; a point left with none becomes an
  // empty line in the batch.
  RecordingSink sink = ParseAll("a value=1\n\nb value=2\n\n");
  EXPECT_TRUE(sink.rejects.empty());
  ASSERT_EQ(sink.points.size(), 2u);
  EXPECT_EQ(sink.points[1].measurement, "b");
}

// --- Escaping -------------------------------------------------------------------

TEST(InfluxParser, MeasurementEscapesCommaAndSpaceOnly) {
  EXPECT_EQ(ParseOne("a\\ b\\,c v=1").measurement, "a b,c");
  // `=` needs no escape in a measurement, so `\=` is two ordinary bytes.
  EXPECT_EQ(ParseOne("a\\=b v=1").measurement, "a\\=b");
  EXPECT_EQ(ParseOne("a=b v=1").measurement, "a=b");
}

TEST(InfluxParser, TagAndFieldKeysEscapeCommaEqualsSpace) {
  const OwnedPoint p = ParseOne("m,k\\ 1\\=\\,=v\\ 1\\=\\, f\\ 1\\=\\,=1i");
  EXPECT_THAT(p.tags, ElementsAre(Pair("k 1=,", "v 1=,")));
  EXPECT_EQ(p.fields[0].key, "f 1=,");
}

TEST(InfluxParser, BackslashBeforeOtherBytesIsLiteral) {
  const OwnedPoint p = ParseOne(R"(m\x,path=C:\temp\\ dir f\n=1i)");
  EXPECT_EQ(p.measurement, R"(m\x)");
  // `\\` is no escape in a tag value: the first backslash is literal and the
  // second escapes the space.
  EXPECT_THAT(p.tags, ElementsAre(Pair("path", R"(C:\temp\ dir)")));
  EXPECT_EQ(p.fields[0].key, R"(f\n)");
}

TEST(InfluxParser, StringFieldEscapesQuoteAndBackslash) {
  const OwnedPoint p = ParseOne(R"(m s="say \"hi\" \\ \n done",t="",u="a\b")");
  ASSERT_EQ(p.fields.size(), 3u);
  EXPECT_EQ(p.fields[0].string_value, R"(say "hi" \ \n done)");
  EXPECT_EQ(p.fields[1].string_value, "");
  EXPECT_EQ(p.fields[2].string_value, R"(a\b)");
}

TEST(InfluxParser, StringFieldMaySpanLines) {
  RecordingSink sink = ParseAll("m s=\"one\ntwo\" 5\nm,bad v=1\nn v=2");
  ASSERT_EQ(sink.points.size(), 2u);
  EXPECT_EQ(sink.points[0].fields[0].string_value, "one\ntwo");
  EXPECT_EQ(sink.points[0].timestamp_ns, 5);
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].line, 3u);  // the string's newline counts
  EXPECT_EQ(sink.points[1].measurement, "n");
}

TEST(InfluxParser, UnescapedViewsSurviveScratchGrowth) {
  // Many escaped tokens on one line make the scratch buffer reallocate
  // while the line is parsed; every view must still read correctly.
  std::string line = "m\\ x";
  for (int i = 0; i < 200; ++i) {
    line += ",k" + std::to_string(i) + "\\ =v" + std::to_string(i) + "\\,";
  }
  line += " f\\ 0=\"q\\\"" + std::string(300, 'z') + "\",f\\ 1=2i";
  const OwnedPoint p = ParseOne(line);
  EXPECT_EQ(p.measurement, "m x");
  ASSERT_EQ(p.tags.size(), 200u);
  EXPECT_EQ(p.tags[0].first, "k0 ");
  EXPECT_EQ(p.tags[199].second, "v199,");
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_EQ(p.fields[0].string_value, "q\"" + std::string(300, 'z'));
  EXPECT_EQ(p.fields[1].key, "f 1");
}

// Views of unescaped tokens point into the request body: no copy.
class ViewCheckingSink : public InfluxSink {
 public:
  explicit ViewCheckingSink(std::string_view body) : body_(body) {}
  void OnPoint(const InfluxPoint& p) override {
    ++points;
    all_in_body =
        InBody(p.measurement) && InBody(p.fields[0].key) && InBody(p.fields[0].string_value);
    for (const LabelView& t : p.tags)
      all_in_body = all_in_body && InBody(t.name) && InBody(t.value);
  }
  void OnReject(size_t, std::string_view) override { ++rejects; }
  bool InBody(std::string_view v) const {
    return v.data() >= body_.data() && v.data() + v.size() <= body_.data() + body_.size();
  }
  int points = 0;
  int rejects = 0;
  bool all_in_body = false;

 private:
  std::string_view body_;
};

TEST(InfluxParser, PlainTokensAreViewsIntoTheBody) {
  const std::string body = "cpu,host=a,region=b s=\"text\" 1\n";
  InfluxParser parser;
  ViewCheckingSink sink(body);
  EXPECT_EQ(parser.Parse(body, InfluxPrecision::kNanoseconds, sink), 1u);
  EXPECT_EQ(sink.points, 1);
  EXPECT_TRUE(sink.all_in_body);
}

// --- Line structure and recovery -------------------------------------------------

TEST(InfluxParser, BadLinesAreRejectedAndGoodOnesKept) {
  InfluxParser parser;
  RecordingSink sink;
  const size_t accepted = parser.Parse(
      "a v=1\n"
      "b,t= v=1\n"  // empty tag value
      "c v=1\n"
      "d v=1 12x\n"  // bad timestamp
      "e v=1",
      InfluxPrecision::kNanoseconds, sink);
  EXPECT_EQ(accepted, 3u);
  ASSERT_EQ(sink.points.size(), 3u);
  EXPECT_EQ(sink.points[0].measurement, "a");
  EXPECT_EQ(sink.points[1].measurement, "c");
  EXPECT_EQ(sink.points[2].measurement, "e");
  ASSERT_EQ(sink.rejects.size(), 2u);
  EXPECT_EQ(sink.rejects[0].line, 2u);
  EXPECT_THAT(sink.rejects[0].reason, HasSubstr("tag value"));
  EXPECT_EQ(sink.rejects[1].line, 4u);
  EXPECT_THAT(sink.rejects[1].reason, HasSubstr("invalid timestamp \"12x\""));
}

TEST(InfluxParser, CrLfCommentsBlankLinesAndSpaces) {
  RecordingSink sink = ParseAll(
      "# written by a test\r\n"
      "\r\n"
      "   \n"
      "  a v=1   \r\n"
      "#\tcomment with a tab\n"
      "b    v=2     7   \r\n"
      "c v=3\r");
  EXPECT_TRUE(sink.rejects.empty()) << sink.rejects.front().reason;
  ASSERT_EQ(sink.points.size(), 3u);
  EXPECT_EQ(sink.points[0].measurement, "a");
  EXPECT_EQ(sink.points[1].timestamp_ns, 7);
  EXPECT_EQ(sink.points[2].measurement, "c");
}

TEST(InfluxParser, LoneCarriageReturnIsRejected) {
  RecordingSink sink = ParseAll("a v=1\rb v=2\nc v=3");
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].line, 1u);
  ASSERT_EQ(sink.points.size(), 1u);
  EXPECT_EQ(sink.points[0].measurement, "c");
}

TEST(InfluxParser, StructuralErrors) {
  EXPECT_THAT(RejectOne("cpu"), HasSubstr("no fields"));
  EXPECT_THAT(RejectOne("cpu,host=a"), HasSubstr("no fields"));
  EXPECT_THAT(RejectOne("cpu "), HasSubstr("field key"));
  EXPECT_THAT(RejectOne(",t=1 v=1"), HasSubstr("measurement"));
  EXPECT_THAT(RejectOne("\tcpu v=1"), HasSubstr("measurement"));
  EXPECT_THAT(RejectOne("cpu, t=1 v=1"), HasSubstr("tag key"));
  EXPECT_THAT(RejectOne("cpu,t v=1"), HasSubstr("'=' after the tag key"));
  EXPECT_THAT(RejectOne("cpu v"), HasSubstr("'=' after the field key"));
  EXPECT_THAT(RejectOne("cpu v="), HasSubstr("field value"));
  EXPECT_THAT(RejectOne("cpu v=1,"), HasSubstr("field key"));
  EXPECT_THAT(RejectOne("cpu v=1, w=2"), HasSubstr("field key"));
  EXPECT_THAT(RejectOne("cpu v=\"open"), HasSubstr("unterminated"));
  EXPECT_THAT(RejectOne("cpu v=\"x\"y"), HasSubstr("after a field value"));
  EXPECT_THAT(RejectOne("cpu v=1 1 2"), HasSubstr("after the timestamp"));
  EXPECT_THAT(RejectOne("cpu v=1 1-2"), HasSubstr("timestamp"));
  EXPECT_THAT(RejectOne("cpu v=1 -"), HasSubstr("timestamp"));
  EXPECT_THAT(RejectOne("# bad\x01 comment"), HasSubstr("comment"));
}

TEST(InfluxParser, DuplicateTagKeysRejectedDuplicateFieldsKept) {
  EXPECT_THAT(RejectOne("m,a=1,b=2,a=3 v=1"), HasSubstr("duplicate tag key \"a\""));
  EXPECT_THAT(RejectOne("m,a\\ =1,a\\ =2 v=1"), HasSubstr("duplicate tag key \"a \""));
  // InfluxDB keeps the last of repeated fields; we pass both, in order.
  const OwnedPoint p = ParseOne("m v=1,v=2");
  ASSERT_EQ(p.fields.size(), 2u);
  EXPECT_DOUBLE_EQ(p.fields[1].float_value, 2);
}

TEST(InfluxParser, InvalidUtf8Rejected) {
  EXPECT_THAT(RejectOne("m\xff v=1"), HasSubstr("UTF-8"));
  EXPECT_THAT(RejectOne("m,t=\xc3\x28 v=1"), HasSubstr("UTF-8"));
  EXPECT_THAT(RejectOne("m v=\"\xed\xa0\x80\""), HasSubstr("UTF-8"));  // a surrogate
  EXPECT_EQ(ParseOne("m,ort=M\xc3\xbcnchen v=\"\xe2\x9c\x93\"").tags[0].second, "M\xc3\xbcnchen");
}

TEST(InfluxParser, TagValuesMayHoldControlCharactersKeysMayNot) {
  EXPECT_EQ(ParseOne("m,k=x\x01y v=1").tags[0].second, "x\x01y");
  RejectOne("m,x\x01y=v v=1");
  RejectOne("m x\x01y=1");
}

// --- Values ------------------------------------------------------------------------

TEST(InfluxParser, NumericFieldTypes) {
  const OwnedPoint p = ParseOne(
      "m a=1,b=-1.5E-3,c=1.,d=.5,e=1e5,f=-0,g=9223372036854775807i,h=-9223372036854775808i,"
      "i=18446744073709551615u,j=0u,k=007i");
  ASSERT_EQ(p.fields.size(), 11u);
  EXPECT_EQ(p.fields[0].type, InfluxFieldType::kFloat);
  EXPECT_DOUBLE_EQ(p.fields[0].float_value, 1);
  EXPECT_DOUBLE_EQ(p.fields[1].float_value, -1.5e-3);
  EXPECT_DOUBLE_EQ(p.fields[2].float_value, 1);
  EXPECT_DOUBLE_EQ(p.fields[3].float_value, 0.5);
  EXPECT_DOUBLE_EQ(p.fields[4].float_value, 1e5);
  EXPECT_EQ(p.fields[6].type, InfluxFieldType::kInteger);
  EXPECT_EQ(p.fields[6].int_value, INT64_MAX);
  EXPECT_EQ(p.fields[7].int_value, INT64_MIN);
  EXPECT_EQ(p.fields[8].type, InfluxFieldType::kUnsigned);
  EXPECT_EQ(p.fields[8].uint_value, UINT64_MAX);
  EXPECT_EQ(p.fields[9].uint_value, 0u);
  EXPECT_EQ(p.fields[10].int_value, 7);
}

TEST(InfluxParser, TinyFloatsUnderflowToZeroHugeOnesAreRejected) {
  EXPECT_EQ(ParseOne("m v=1e-400").fields[0].float_value, 0);
  EXPECT_THAT(RejectOne("m v=1e400"), HasSubstr("out-of-range float"));
}

TEST(InfluxParser, InvalidNumbersRejected) {
  for (const char* line :
       {"m v=9223372036854775808i", "m v=-9223372036854775809i", "m v=18446744073709551616u",
        "m v=-1u", "m v=1.5i", "m v=-i", "m v=1e", "m v=.", "m v=-", "m v=1.2.3", "m v=0x10",
        "m v=1_000", "m v=--1", "m v=1e+"}) {
    RejectOne(line);
  }
  // Non-finite floats are not line protocol (influxdb-java drops them).
  for (const char* line : {"m v=NaN", "m v=inf", "m v=-Inf", "m v=-nan"}) {
    RejectOne(line);
  }
}

TEST(InfluxParser, Booleans) {
  const OwnedPoint p = ParseOne("m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE");
  ASSERT_EQ(p.fields.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(p.fields[i].type, InfluxFieldType::kBoolean);
    EXPECT_EQ(p.fields[i].bool_value, i < 5) << i;
  }
  RejectOne("m a=tru");
  RejectOne("m a=yes");
}

// --- Time ------------------------------------------------------------------------

TEST(InfluxParser, TimestampScaledByPrecision) {
  const struct {
    InfluxPrecision precision;
    int64_t want;
  } cases[] = {
      {InfluxPrecision::kNanoseconds, 7},           {InfluxPrecision::kMicroseconds, 7'000},
      {InfluxPrecision::kMilliseconds, 7'000'000},  {InfluxPrecision::kSeconds, 7'000'000'000},
      {InfluxPrecision::kMinutes, 420'000'000'000}, {InfluxPrecision::kHours, 25'200'000'000'000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseOne("m v=1 7", c.precision).timestamp_ns, c.want);
    EXPECT_EQ(ParseOne("m v=1 -7", c.precision).timestamp_ns, -c.want);
  }
}

TEST(InfluxParser, MissingTimestampIsReported) {
  const OwnedPoint p = ParseOne("m v=1", InfluxPrecision::kSeconds);
  EXPECT_FALSE(p.has_timestamp);
  EXPECT_EQ(p.timestamp_ns, 0);
}

TEST(InfluxParser, TimestampOverflowRejected) {
  RecordingSink sink = ParseAll("m v=1 9223372036854775807\nm v=1 9223372036854776\n",
                                InfluxPrecision::kMilliseconds);
  ASSERT_EQ(sink.rejects.size(), 2u);
  EXPECT_THAT(sink.rejects[1].reason, HasSubstr("overflows"));
  RejectOne("m v=1 9223372036854775808");
  EXPECT_EQ(ParseOne("m v=1 -9223372036854775808").timestamp_ns, INT64_MIN);
}

// --- Options and reuse -------------------------------------------------------------

TEST(InfluxParser, LimitsOnTagsAndFields) {
  InfluxParseOptions options;
  options.max_tags = 2;
  options.max_fields = 2;
  RecordingSink sink = ParseAll("m,a=1,b=2 x=1,y=2\nm,a=1,b=2,c=3 x=1\nm x=1,y=2,z=3\n",
                                InfluxPrecision::kNanoseconds, options);
  EXPECT_EQ(sink.points.size(), 1u);
  ASSERT_EQ(sink.rejects.size(), 2u);
  EXPECT_THAT(sink.rejects[0].reason, HasSubstr("more than 2 tags"));
  EXPECT_THAT(sink.rejects[1].reason, HasSubstr("more than 2 fields"));
}

TEST(InfluxParser, ParserIsReusableAcrossBodies) {
  InfluxParser parser;
  RecordingSink first;
  EXPECT_EQ(parser.Parse("a\\ b,t=x\\,y v=\"q\\\"\"\nbroken", InfluxPrecision::kNanoseconds, first),
            1u);
  EXPECT_EQ(first.rejects.size(), 1u);
  RecordingSink second;
  EXPECT_EQ(parser.Parse("c v=2i 3", InfluxPrecision::kSeconds, second), 1u);
  ASSERT_EQ(second.points.size(), 1u);
  EXPECT_EQ(second.points[0].measurement, "c");
  EXPECT_TRUE(second.points[0].tags.empty());
  EXPECT_EQ(second.points[0].timestamp_ns, 3'000'000'000);
  EXPECT_TRUE(second.rejects.empty());
  RecordingSink empty;
  EXPECT_EQ(parser.Parse("", InfluxPrecision::kNanoseconds, empty), 0u);
  EXPECT_TRUE(empty.rejects.empty());
}

// --- Precision parameter ---------------------------------------------------------

TEST(InfluxPrecisionParam, V1AcceptsItsUnits) {
  const struct {
    const char* text;
    InfluxPrecision want;
  } cases[] = {{"", InfluxPrecision::kNanoseconds},    {"n", InfluxPrecision::kNanoseconds},
               {"ns", InfluxPrecision::kNanoseconds},  {"u", InfluxPrecision::kMicroseconds},
               {"ms", InfluxPrecision::kMilliseconds}, {"s", InfluxPrecision::kSeconds},
               {"m", InfluxPrecision::kMinutes},       {"h", InfluxPrecision::kHours}};
  for (const auto& c : cases) {
    auto got = ParseInfluxPrecision(c.text, InfluxApi::kV1);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
  for (const char* bad : {"us", "µ", "mn", "S", "1ms", "sec"}) {
    const auto got = ParseInfluxPrecision(bad, InfluxApi::kV1);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(InfluxPrecisionParam, V2AcceptsItsUnits) {
  const struct {
    const char* text;
    InfluxPrecision want;
  } cases[] = {{"", InfluxPrecision::kNanoseconds},
               {"ns", InfluxPrecision::kNanoseconds},
               {"us", InfluxPrecision::kMicroseconds},
               {"ms", InfluxPrecision::kMilliseconds},
               {"s", InfluxPrecision::kSeconds}};
  for (const auto& c : cases) {
    auto got = ParseInfluxPrecision(c.text, InfluxApi::kV2);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
  for (const char* bad : {"n", "u", "m", "h", "NS"}) {
    const auto got = ParseInfluxPrecision(bad, InfluxApi::kV2);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(got.status().message()), HasSubstr("ns, us, ms or s"));
  }
}

}  // namespace
}  // namespace vitals::gateway
