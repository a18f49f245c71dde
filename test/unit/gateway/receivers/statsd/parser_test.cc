#include "gateway/receivers/statsd/parser.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

namespace reject = statsd_reject;

struct Seen {
  std::string name;
  double value;
  StatsdType type;
  bool signed_delta;
  double sample_rate;
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t timestamp_s;
  std::string raw_value;
};

struct Rejected {
  size_t line;
  std::string reason;
  bool operator==(const Rejected&) const = default;
};

class RecordingSink : public StatsdSink {
 public:
  void OnMetric(const StatsdMetric& m) override {
    Seen s{std::string(m.name), m.value, m.type,        m.signed_delta,
           m.sample_rate,       {},      m.timestamp_s, std::string(m.raw_value)};
    for (const LabelView& t : m.tags) s.tags.emplace_back(t.name, t.value);
    metrics.push_back(std::move(s));
  }
  void OnReject(size_t line, std::string_view reason) override {
    rejects.push_back({line, std::string(reason)});
  }
  std::vector<Seen> metrics;
  std::vector<Rejected> rejects;
};

struct Result {
  size_t accepted;
  RecordingSink sink;
};

Result ParseAll(std::string_view datagram, StatsdParseOptions options = {}) {
  StatsdParser parser(options);
  Result r;
  r.accepted = parser.Parse(datagram, r.sink);
  return r;
}

// The one metric of a single accepted line.
Seen One(std::string_view line, StatsdParseOptions options = {}) {
  Result r = ParseAll(line, options);
  EXPECT_EQ(r.accepted, 1u) << line;
  EXPECT_TRUE(r.sink.rejects.empty()) << line << ": " << r.sink.rejects[0].reason;
  EXPECT_EQ(r.sink.metrics.size(), 1u) << line;
  return r.sink.metrics.empty() ? Seen{} : r.sink.metrics[0];
}

std::string RejectReason(std::string_view line, StatsdParseOptions options = {}) {
  Result r = ParseAll(line, options);
  EXPECT_EQ(r.accepted, 0u) << line;
  EXPECT_TRUE(r.sink.metrics.empty()) << line;
  return r.sink.rejects.size() == 1 ? r.sink.rejects[0].reason : "<not rejected once>";
}

using Tags = std::vector<std::pair<std::string, std::string>>;

// --- What Flink's StatsDReporter sends --------------------------------------

TEST(StatsdParser, FlinkGaugeWithDottedIdentifier) {
  const Seen m =
      One("ip-10-0-0-1.ec2.internal.taskmanager.container_e05_1600000000000_0001_01_000002."
          "orders-etl.Source- Kafka -> Map.0.numRecordsInPerSecond.rate:1523.4|g");
  EXPECT_EQ(m.name,
            "ip-10-0-0-1.ec2.internal.taskmanager.container_e05_1600000000000_0001_01_000002."
            "orders-etl.Source- Kafka -> Map.0.numRecordsInPerSecond.rate");
  EXPECT_EQ(m.type, StatsdType::kGauge);
  EXPECT_DOUBLE_EQ(m.value, 1523.4);
  EXPECT_FALSE(m.signed_delta);
  EXPECT_EQ(m.sample_rate, 1);
  EXPECT_TRUE(m.tags.empty());
  EXPECT_EQ(m.timestamp_s, 0);
}

TEST(StatsdParser, NameKeepsEverythingButColon) {
  // Task names may hold '|', '#', ',', '@' and spaces: none starts a field.
  const Seen m = One("h.jobmanager.job #1, a|b @x.numRestarts:3|g");
  EXPECT_EQ(m.name, "h.jobmanager.job #1, a|b @x.numRestarts");
  EXPECT_EQ(m.value, 3);
}

TEST(StatsdParser, JavaDoublesAndSpecialValues) {
  EXPECT_DOUBLE_EQ(One("a:5.5132808E7|g").value, 5.5132808e7);
  EXPECT_DOUBLE_EQ(One("a:1.0E-5|g").value, 1e-5);
  EXPECT_TRUE(std::isnan(One("a:NaN|g").value));
  EXPECT_EQ(One("a:Infinity|g").value, INFINITY);
  const Seen neg_inf = One("a:-Infinity|g");
  EXPECT_EQ(neg_inf.value, -INFINITY);
  EXPECT_TRUE(neg_inf.signed_delta);
  EXPECT_EQ(One("a:1e-400|g").value, 0);  // underflow reads as zero
}

// Plain decimals of up to 15 digits take a shortcut (an exact integer over
// an exact power of ten); it must round exactly as the full conversion does.
TEST(StatsdParser, PlainDecimalsReadExactlyAsStrtodReadsThem) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 20000; ++i) {
    const int digits = 1 + static_cast<int>(next() % 17);  // 16 and 17: the full path
    std::string text;
    for (int d = 0; d < digits; ++d) text += static_cast<char>('0' + next() % 10);
    const size_t dot = next() % (text.size() + 2);
    if (dot <= text.size()) text.insert(dot, ".");
    if (next() % 4 == 0) text.insert(0, "-");
    const Seen m = One("a:" + text + "|g");
    EXPECT_EQ(m.value, std::strtod(text.c_str(), nullptr)) << text;
    EXPECT_EQ(std::signbit(m.value), text[0] == '-') << text;
  }
  EXPECT_EQ(One("a:5.|g").value, 5);
  EXPECT_EQ(One("a:.25|g").value, 0.25);
  EXPECT_EQ(One("a:999999999999999|g").value, 999999999999999.0);
  EXPECT_EQ(One("a:0.1|g").value, 0.1);
  EXPECT_EQ(One("a:1523.4|g").value, 1523.4);
  EXPECT_EQ(RejectReason("a:.|g"), reject::kBadValue);
  EXPECT_EQ(RejectReason("a:1.2.3|g"), reject::kBadValue);
  EXPECT_EQ(RejectReason("a:12x|g"), reject::kBadValue);
}

TEST(StatsdParser, FlinkNegativeGaugeIsZeroThenSignedValue) {
  // Flink sends `x:0|g` then `x:-5|g`, each in its own datagram: a delta
  // reading gives -5, and so does an absolute one.
  StatsdParser parser;
  RecordingSink sink;
  EXPECT_EQ(parser.Parse("lag:0|g", sink), 1u);
  EXPECT_EQ(parser.Parse("lag:-5|g", sink), 1u);
  ASSERT_EQ(sink.metrics.size(), 2u);
  EXPECT_FALSE(sink.metrics[0].signed_delta);
  EXPECT_EQ(sink.metrics[1].value, -5);
  EXPECT_TRUE(sink.metrics[1].signed_delta);
}

TEST(StatsdParser, SignedDeltaOnlyForGauges) {
  EXPECT_TRUE(One("a:+5|g").signed_delta);
  EXPECT_EQ(One("a:+5|g").value, 5);
  EXPECT_FALSE(One("a:-5|c").signed_delta);
  EXPECT_EQ(One("a:-5|c").value, -5);
  EXPECT_FALSE(One("a:-5|ms").signed_delta);
}

TEST(StatsdParser, FlinkBooleanAndStringGaugesAreRejected) {
  EXPECT_EQ(RejectReason("h.jobmanager.job.isBackPressured:true|g"), reject::kBadValue);
  EXPECT_EQ(RejectReason("h.jobmanager.job.lastCheckpointExternalPath:s3://bucket/chk-7|g"),
            reject::kBadValue);
  EXPECT_EQ(RejectReason("a:n/a|g"), reject::kBadValue);
}

// --- Datagrams with several lines --------------------------------------------

TEST(StatsdParser, BadLinesNeverAffectTheOthers) {
  Result r = ParseAll("a:1|g\nb:true|g\n\nc:2|c\r\nd:1|x\ne:3|ms\n");
  EXPECT_EQ(r.accepted, 3u);
  ASSERT_EQ(r.sink.metrics.size(), 3u);
  EXPECT_EQ(r.sink.metrics[0].name, "a");
  EXPECT_EQ(r.sink.metrics[1].name, "c");  // "\r" dropped
  EXPECT_EQ(r.sink.metrics[1].type, StatsdType::kCounter);
  EXPECT_EQ(r.sink.metrics[2].name, "e");
  // Line numbers count the empty line too.
  EXPECT_EQ(r.sink.rejects, (std::vector<Rejected>{{2, std::string(reject::kBadValue)},
                                                   {5, std::string(reject::kUnknownType)}}));
}

TEST(StatsdParser, EmptyInputsAreNeitherAcceptedNorRejected) {
  for (std::string_view d : {"", "\n", "\n\n\r\n"}) {
    Result r = ParseAll(d);
    EXPECT_EQ(r.accepted, 0u);
    EXPECT_TRUE(r.sink.metrics.empty());
    EXPECT_TRUE(r.sink.rejects.empty());
  }
}

TEST(StatsdParser, RejectedLineEmitsNothingEvenAfterGoodValues) {
  Result r = ParseAll("t:1:2:x|ms\nt:1:2|ms|@2");
  EXPECT_TRUE(r.sink.metrics.empty());
  EXPECT_EQ(r.sink.rejects, (std::vector<Rejected>{{1, std::string(reject::kBadValue)},
                                                   {2, std::string(reject::kBadSampleRate)}}));
}

TEST(StatsdParser, ViewsPointIntoTheDatagram) {
  const std::string datagram = "svc.lat:12|ms|#env:prod";
  StatsdParser parser;
  struct Check : StatsdSink {
    const std::string* buffer;
    int metrics = 0;
    bool Inside(std::string_view v) const {
      return v.data() >= buffer->data() && v.data() + v.size() <= buffer->data() + buffer->size();
    }
    void OnMetric(const StatsdMetric& m) override {
      ++metrics;
      EXPECT_TRUE(Inside(m.name));
      EXPECT_TRUE(Inside(m.raw_value));
      ASSERT_EQ(m.tags.size(), 1u);
      EXPECT_TRUE(Inside(m.tags[0].name));
      EXPECT_TRUE(Inside(m.tags[0].value));
    }
    void OnReject(size_t, std::string_view) override { ADD_FAILURE(); }
  } check;
  check.buffer = &datagram;
  parser.Parse(datagram, check);
  EXPECT_EQ(check.metrics, 1);
}

// --- Types, packed values, sets ----------------------------------------------

TEST(StatsdParser, EveryType) {
  EXPECT_EQ(One("a:1|g").type, StatsdType::kGauge);
  EXPECT_EQ(One("a:1|c").type, StatsdType::kCounter);
  EXPECT_EQ(One("a:1|ms").type, StatsdType::kTimer);
  EXPECT_EQ(One("a:1|h").type, StatsdType::kHistogram);
  EXPECT_EQ(One("a:1|d").type, StatsdType::kDistribution);
  EXPECT_EQ(One("a:1|s").type, StatsdType::kSet);
}

TEST(StatsdParser, PackedValuesForTimersHistogramsDistributions) {
  for (std::string_view line :
       {"t:0.5:120:3|ms|@0.5", "t:0.5:120:3|h|@0.5", "t:0.5:120:3|d|@0.5"}) {
    Result r = ParseAll(line);
    EXPECT_EQ(r.accepted, 1u);
    ASSERT_EQ(r.sink.metrics.size(), 3u) << line;
    EXPECT_EQ(r.sink.metrics[0].value, 0.5);
    EXPECT_EQ(r.sink.metrics[1].value, 120);
    EXPECT_EQ(r.sink.metrics[2].value, 3);
    EXPECT_EQ(r.sink.metrics[1].raw_value, "120");
    for (const Seen& m : r.sink.metrics) EXPECT_EQ(m.sample_rate, 0.5);
  }
  EXPECT_EQ(RejectReason("c:1:2|c"), reject::kPackedValues);
  EXPECT_EQ(RejectReason("g:1:2|g"), reject::kPackedValues);
}

TEST(StatsdParser, SetMemberIsTheRawValue) {
  const Seen m = One("users:abc:def|s");
  EXPECT_EQ(m.type, StatsdType::kSet);
  EXPECT_EQ(m.raw_value, "abc:def");
  EXPECT_TRUE(std::isnan(m.value));
}

// --- Sample rates: the 52.5-vs-52 policy --------------------------------------

TEST(StatsdParser, CounterIsDividedBySampleRateWithoutTruncation) {
  const Seen m = One("test.metric:42|c|@0.8");
  EXPECT_DOUBLE_EQ(m.value, 52.5);
  EXPECT_DOUBLE_EQ(m.sample_rate, 0.8);
  EXPECT_DOUBLE_EQ(One("a:100|c|@0.1").value, 1000);
}

TEST(StatsdParser, OtherTypesKeepTheirValueAndCarryTheRate) {
  const Seen g = One("a:11|g|@0.1");
  EXPECT_EQ(g.value, 11);
  EXPECT_DOUBLE_EQ(g.sample_rate, 0.1);
  const Seen t = One("a:200|ms|@0.25");
  EXPECT_EQ(t.value, 200);  // milliseconds, as sent
  EXPECT_DOUBLE_EQ(t.sample_rate, 0.25);
}

TEST(StatsdParser, ZeroRateReadsAsOneAndBadRatesReject) {
  const Seen m = One("a:2|c|@0");
  EXPECT_EQ(m.value, 2);
  EXPECT_EQ(m.sample_rate, 1);
  EXPECT_EQ(One("a:2|c|@1.000000").sample_rate, 1);
  for (std::string_view line :
       {"a:1|c|@bar", "a:1|c|@", "a:1|c|@1.5", "a:1|c|@-0.5", "a:1|c|@NaN", "a:1|c|@1.0a"}) {
    EXPECT_EQ(RejectReason(line), reject::kBadSampleRate) << line;
  }
}

// --- DogStatsD fields -------------------------------------------------------

TEST(StatsdParser, DogStatsdTags) {
  EXPECT_EQ(One("a:1|c|#env:prod,region:eu-1").tags, (Tags{{"env", "prod"}, {"region", "eu-1"}}));
  // The PHP client writes '#' before every key.
  EXPECT_EQ(One("a:1|c|#env:prod,#region:eu").tags, (Tags{{"env", "prod"}, {"region", "eu"}}));
  // Only the first ':' splits.
  EXPECT_EQ(One("a:1|c|#image:repo:tag").tags, (Tags{{"image", "repo:tag"}}));
  // Last duplicate wins, in place.
  EXPECT_EQ(One("a:1|c|#env:a,x:1,env:b").tags, (Tags{{"env", "b"}, {"x", "1"}}));
  EXPECT_TRUE(One("a:1|g|#").tags.empty());
}

TEST(StatsdParser, ValuelessTagsAreDroppedAndTheLineKept) {
  EXPECT_TRUE(One("a:100|c|#tag_without_a_value").tags.empty());
  EXPECT_EQ(One("a:100|c|#bare,k:v,:novalue,nokey:,,").tags, (Tags{{"k", "v"}}));
}

TEST(StatsdParser, ContainerIdBecomesATag) {
  EXPECT_EQ(One("a:1|c|#env:dev|c:sha256:abcd").tags,
            (Tags{{"env", "dev"}, {"container_id", "sha256:abcd"}}));
}

TEST(StatsdParser, FieldsInAnyOrder) {
  const Seen m = One("m:1234|g|T1657100540|#atag:x|@0.25|c:ctr");
  EXPECT_EQ(m.timestamp_s, 1657100540);
  EXPECT_EQ(m.sample_rate, 0.25);
  EXPECT_EQ(m.tags, (Tags{{"atag", "x"}, {"container_id", "ctr"}}));
}

TEST(StatsdParser, TimestampMustBeUnixSeconds) {
  EXPECT_EQ(One("a:15|c|#env:dev|T1656581400").timestamp_s, 1656581400);
  for (std::string_view line : {"a:1|c|Tnot-a-ts", "a:1|c|T", "a:1|c|T-102348932", "a:1|c|T1.5",
                                "a:1|c|T9999999999999999999"}) {
    EXPECT_EQ(RejectReason(line), reject::kBadTimestamp) << line;
  }
}

TEST(StatsdParser, TagsOffIgnoresDogStatsdTags) {
  const StatsdParseOptions off{.dogstatsd_tags = false};
  const Seen m = One("a:100|c|@0.1|#tag1:bar|c:ctr|T1656581400", off);
  EXPECT_TRUE(m.tags.empty());
  EXPECT_DOUBLE_EQ(m.value, 1000);
  EXPECT_EQ(m.timestamp_s, 1656581400);
  // Malformed fields are still malformed.
  EXPECT_EQ(RejectReason("a:1|c|c:", off), reject::kBadContainerId);
}

TEST(StatsdParser, ScratchTagsDoNotLeakAcrossLines) {
  Result r = ParseAll("a:1|c|#k:v\nb:1|c");
  ASSERT_EQ(r.sink.metrics.size(), 2u);
  EXPECT_EQ(r.sink.metrics[0].tags, (Tags{{"k", "v"}}));
  EXPECT_TRUE(r.sink.metrics[1].tags.empty());
}

// --- Every rejection reason --------------------------------------------------

struct RejectCase {
  std::string line;
  std::string_view reason;
};

class StatsdRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(StatsdRejects, WithTheirReason) {
  StatsdParseOptions options;
  options.max_line_bytes = 64;
  options.max_tags = 2;
  EXPECT_EQ(RejectReason(GetParam().line, options), GetParam().reason) << GetParam().line;
}

INSTANTIATE_TEST_SUITE_P(
    All, StatsdRejects,
    ::testing::Values(
        RejectCase{std::string(65, 'x') + ":1|g", reject::kTooLong},
        RejectCase{"invalid\xc3(utf8:1|c", reject::kInvalidUtf8},
        RejectCase{"a:1|c|#tag:\xc3(invalid", reject::kInvalidUtf8},
        RejectCase{"over\xc0\xaflong:1|c", reject::kInvalidUtf8},
        RejectCase{"surrogate\xed\xa0\x80:1|c", reject::kInvalidUtf8},
        RejectCase{"truncated\xe2\x82:1|c", reject::kInvalidUtf8},
        RejectCase{"foo", reject::kNoColon}, RejectCase{"abc666|g", reject::kNoColon},
        RejectCase{":100|ms", reject::kEmptyName}, RejectCase{"foo:1", reject::kNoType},
        RejectCase{"daemon:666|", reject::kNoType},
        RejectCase{"k:  0.1  -0.05 (  2.4)", reject::kNoType},
        RejectCase{"daemon:|g", reject::kEmptyValue}, RejectCase{"t:1::2|ms", reject::kEmptyValue},
        RejectCase{"foo:1o|c", reject::kBadValue}, RejectCase{"foo: 1|c", reject::kBadValue},
        RejectCase{"foo:0x10|g", reject::kBadValue}, RejectCase{"foo:1e400|g", reject::kBadValue},
        RejectCase{"foo:--1|g", reject::kBadValue}, RejectCase{"foo:+|g", reject::kBadValue},
        RejectCase{"foo:1_000|g", reject::kBadValue}, RejectCase{"foo:2|t", reject::kUnknownType},
        RejectCase{"foo:2|G", reject::kUnknownType},
        RejectCase{"a:1|c:2|c", reject::kUnknownType},  // etsy multi-metric
        RejectCase{"foo_counter:0.5:120|c|#t:b", reject::kPackedValues},
        RejectCase{"foo:1|c|", reject::kEmptyField},
        RejectCase{"foo:1|c||#a:b", reject::kEmptyField},
        RejectCase{"foo:1|c|@bar", reject::kBadSampleRate},
        RejectCase{"foo:1|c|Tx", reject::kBadTimestamp},
        RejectCase{"foo:100|c|#tag1:value|c", reject::kBadContainerId},
        RejectCase{"foo:100|c|#tag1:value|c:", reject::kBadContainerId},
        RejectCase{"foo:100|c|#t:v|c:ctr|extra:component", reject::kUnknownField},
        RejectCase{"daemon:666|g|m:test", reject::kUnknownField},
        RejectCase{"test.metric:42|c|$extra", reject::kUnknownField},
        RejectCase{"foo:1|c|@0.5|@0.5", reject::kDuplicateField},
        RejectCase{"foo:1|c|#a:b|#c:d", reject::kDuplicateField},
        RejectCase{"foo:1|c|T1|T2", reject::kDuplicateField},
        RejectCase{"foo:1|c|c:x|c:y", reject::kDuplicateField},
        RejectCase{"foo:1|c|#a:1,b:2,c:3", reject::kTooManyTags},
        RejectCase{"foo:1|c|#a:1,b:2|c:x", reject::kTooManyTags}));

TEST(StatsdParser, DuplicateTagsDoNotCountTwiceTowardTheLimit) {
  StatsdParseOptions options;
  options.max_tags = 2;
  EXPECT_EQ(One("a:1|c|#a:1,b:2,a:3,b:4", options).tags, (Tags{{"a", "3"}, {"b", "4"}}));
}

TEST(StatsdParser, LongLineWithinLimitIsAccepted) {
  const std::string name(8000, 'n');
  EXPECT_EQ(One(name + ":1|g").name, name);
  EXPECT_EQ(RejectReason(std::string(8200, 'n') + ":1|g"), reject::kTooLong);
}

}  // namespace
}  // namespace vitals::gateway
