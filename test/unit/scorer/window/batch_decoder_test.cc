#include "scorer/window/batch_decoder.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test/fuzz/metric_batch_check.h"
#include "vitals/v1/metrics.pb.h"

// BatchDecoder against protobuf's parser (test/fuzz/metric_batch_check.h):
// every input below must be accepted exactly when
// MetricBatch::ParseFromArray accepts it, with the same values read.

namespace vitals::scorer {
namespace {

using testing::Disagreement;
using testing::LearningResolver;

// Wire-format writers, for what protobuf's serializer never writes.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}
std::string Tag(uint32_t field, uint32_t wire_type) { return Varint(field << 3 | wire_type); }
std::string Delimited(uint32_t field, const std::string& bytes) {
  return Tag(field, 2) + Varint(bytes.size()) + bytes;
}
std::string Fixed64(uint32_t field, double v) {
  std::string out = Tag(field, 1);
  char raw[8];
  std::memcpy(raw, &v, 8);
  return out + std::string(raw, 8);
}
std::string VarintField(uint32_t field, uint64_t v) { return Tag(field, 0) + Varint(v); }

// Unknown fields of every wire type, a nested group among them.
std::string UnknownFields(uint32_t first) {
  return VarintField(first, 12345) + Fixed64(first + 1, 2.5) +
         Delimited(first + 2, "\x01\x02\x03") + Tag(first + 3, 5) +
         std::string("\x01\x02\x03\x04", 4) + Tag(first + 4, 3) + VarintField(1, 7) + Tag(9, 3) +
         Delimited(2, "x") + Tag(9, 4) + Tag(first + 4, 4) +
         // A packed repeated varint, as a later schema might add.
         Delimited(first + 5, Varint(1) + Varint(300) + Varint(1ULL << 40));
}

std::string Entry(const std::string& key, const std::string& value) {
  return Delimited(1, key) + Delimited(2, value);
}

v1::SeriesAggregate RandomSeries(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  static const char* const kMetrics[] = {"busyTimeMsPerSecond",   "numRecordsInPerSecond",
                                         "Status.JVM.CPU.Load",   "lastCheckpointDuration",
                                         "currentInputWatermark", "caf\xc3\xa9"};
  static const char* const kValues[] = {"Map", "Sink: kafka",     "Source: orders", "\xe2\x82\xac",
                                        "",    "\xf0\x9f\x98\x80"};
  v1::SeriesAggregate s;
  s.set_scope(static_cast<v1::Scope>(pick(8) - 1));
  s.set_metric(kMetrics[pick(6)]);
  for (int i = pick(4); i > 0; --i) {
    (*s.mutable_labels())[std::string("l") + std::to_string(pick(5))] = kValues[pick(6)];
  }
  s.set_kind(static_cast<v1::MetricKind>(pick(6)));
  s.set_count(rng() >> pick(64));
  const double specials[] = {0.0,
                             -0.0,
                             std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             1e-310,
                             12.5};
  s.set_sum(pick(2) ? specials[pick(6)] : static_cast<double>(rng() % 100000) / 7);
  s.set_min(specials[pick(6)]);
  s.set_max(static_cast<double>(rng() % 1000));
  s.set_last(static_cast<double>(rng() % 1000) - 500);
  s.set_last_timestamp_ms(pick(3) == 0 ? -static_cast<int64_t>(rng() % 1000) : 1'700'000'000'000);
  s.set_sum_squares(static_cast<double>(rng() % 1000));
  for (int i = pick(4); i > 0; --i) {
    v1::InstanceValue* iv = s.add_instances();
    iv->set_instance(std::to_string(pick(8)));
    iv->set_value(static_cast<double>(pick(100)));
  }
  for (int i = pick(3); i > 0; --i) {
    (*s.mutable_quantile_max())[pick(2) ? "0.5" : "0.99"] = static_cast<double>(pick(1000));
  }
  s.set_baselined(static_cast<uint64_t>(pick(3)));
  return s;
}

v1::MetricBatch RandomBatch(std::mt19937_64& rng, int series) {
  v1::MetricBatch b;
  b.set_gateway("node-" + std::to_string(rng() % 4));
  b.set_cluster("k8s-eu");
  b.set_interval_start_ms(1'700'000'000'000 + static_cast<int64_t>(rng() % 100) * 10'000);
  b.set_interval_length_ms(10'000);
  b.set_job_id("a1b2c3");
  b.set_job_name("orders");
  b.set_tenant(rng() % 2 ? "acme" : "");
  b.set_part(static_cast<uint32_t>(rng() % 3));
  b.set_parts(static_cast<uint32_t>(rng() % 3));
  if (rng() % 2) (*b.mutable_job_labels())["team"] = "payments";
  if (rng() % 2) (*b.mutable_job_labels())["tenant"] = "acme";
  b.set_processes(5);
  b.set_shared_processes(static_cast<uint32_t>(rng() % 2));
  b.set_max_jobs_per_process(1);
  for (int i = 0; i < series; ++i) *b.add_series() = RandomSeries(rng);
  return b;
}

// Series with a repeated map key, fields out of order, repeated singular
// fields, unknown fields everywhere and known numbers with other wire
// types: all bytes protobuf accepts.
std::string OddSeries() {
  return Fixed64(9, 1.0) + VarintField(1, 5) + Delimited(2, "busyTimeMsPerSecond") +
         Delimited(3, Entry("task_name", "Map") + UnknownFields(20)) +
         Delimited(3, Entry("task_name", "Sink") /* the last wins */) +
         Delimited(3, Delimited(2, "value only")) + Delimited(3, "") + VarintField(5, 3) +
         VarintField(5, 4) + Delimited(12, Delimited(1, "0") + Fixed64(2, 3.0)) +
         Delimited(13, Delimited(1, "0.5") + Fixed64(2, 1.0)) +
         Delimited(13, Fixed64(2, 9.0) + Delimited(1, "0.5") + UnknownFields(30)) +
         Delimited(12, Fixed64(2, 4.0) + UnknownFields(40) + Delimited(1, "1")) +
         UnknownFields(50) + Fixed64(5, 7.0) /* count with a wrong wire type: unknown */ +
         VarintField(2, 9) /* metric as a varint: unknown */ + VarintField(1, (1ULL << 40) + 3) +
         Delimited(2, "numRecordsInPerSecond") + VarintField(4, UINT64_MAX);
}

std::string OddBatch() {
  v1::MetricBatch b;
  std::mt19937_64 rng(7);
  b = RandomBatch(rng, 3);
  std::string bytes = b.SerializeAsString();
  bytes += Delimited(7, OddSeries()) + UnknownFields(100) + Delimited(11, Entry("team", "a")) +
           Delimited(11, Entry("team", "b")) + VarintField(9, (1ULL << 33) + 2) +
           Delimited(1, "node-z") + Delimited(7, "") + Delimited(7, OddSeries());
  return bytes;
}

std::vector<std::string> WellFormed() {
  std::vector<std::string> out;
  std::mt19937_64 rng(42);
  out.push_back("");
  for (int i = 0; i < 40; ++i) out.push_back(RandomBatch(rng, i % 9).SerializeAsString());
  // Two batches concatenated: protobuf merges them.
  out.push_back(RandomBatch(rng, 2).SerializeAsString() + RandomBatch(rng, 3).SerializeAsString());
  out.push_back(OddBatch());
  return out;
}

void ExpectAgrees(const std::string& bytes, LearningResolver& resolver, const std::string& what) {
  const std::string error = Disagreement(bytes, resolver);
  EXPECT_TRUE(error.empty()) << what << ": " << error;
}

TEST(BatchDecoderTest, ReadsWhatProtobufReads) {
  for (const std::string& bytes : WellFormed()) {
    v1::MetricBatch message;
    ASSERT_TRUE(message.ParseFromString(bytes));
    LearningResolver resolver;
    ExpectAgrees(bytes, resolver,
                 "well-formed batch of " + std::to_string(bytes.size()) + " bytes");
  }
}

TEST(BatchDecoderTest, ReadsTheOddBatchAsProtobufDoes) {
  // The decoder's views point into the record: it must outlive them.
  const std::string bytes = OddBatch();
  BatchDecoder decoder;
  ASSERT_TRUE(decoder.Decode(bytes));
  const SeriesView& odd = decoder.series().back();
  EXPECT_EQ(odd.metric, "numRecordsInPerSecond");
  EXPECT_EQ(odd.scope, 3);  // modulo 2^32
  EXPECT_EQ(odd.kind, -1);
  EXPECT_EQ(odd.count, 4u);
  ASSERT_EQ(odd.labels.size(), 2u);
  ASSERT_EQ(odd.instances.size(), 2u);
  ASSERT_EQ(odd.quantile_max.size(), 1u);
  EXPECT_EQ(odd.quantile_max[0].value, 9.0);
  EXPECT_EQ(decoder.header().gateway, "node-z");
  EXPECT_EQ(decoder.header().part, 2u);
  bool team = false;
  for (const LabelRef& l : decoder.header().job_labels) {
    if (l.name != "team") continue;
    EXPECT_FALSE(team) << "a name twice";
    EXPECT_EQ(l.value, "b");
    team = true;
  }
  EXPECT_TRUE(team);
}

TEST(BatchDecoderTest, RefusesEveryTruncationProtobufRefuses) {
  std::vector<std::string> inputs = WellFormed();
  for (size_t i = 0; i < inputs.size(); i += 4) {
    const std::string& bytes = inputs[i];
    LearningResolver resolver;
    ExpectAgrees(bytes, resolver, "whole");  // learns the series first
    for (size_t n = 0; n < bytes.size(); ++n) {
      ExpectAgrees(bytes.substr(0, n), resolver, "truncated to " + std::to_string(n));
    }
  }
  // The odd batch, every cut.
  const std::string odd = OddBatch();
  LearningResolver resolver;
  for (size_t n = 0; n <= odd.size(); ++n) {
    ExpectAgrees(odd.substr(0, n), resolver, "odd batch truncated to " + std::to_string(n));
  }
}

TEST(BatchDecoderTest, RefusesBadUtf8InEveryStringField) {
  const std::vector<std::string> bad = {
      "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "ok\xe2\x82", "\x80", "abcdefgh\xc3"};
  const std::vector<std::string> good = {"\xc2\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
                                         "abcdefghijklmnop\xe2\x82\xac"};
  std::vector<std::string> all = bad;
  all.insert(all.end(), good.begin(), good.end());
  for (const std::string& s : all) {
    const std::string series = Delimited(2, "metric") + Delimited(3, Entry("k", "v"));
    const std::vector<std::string> inputs = {
        Delimited(1, s),
        Delimited(2, s),
        Delimited(5, s),
        Delimited(6, s),
        Delimited(8, s),
        Delimited(11, Entry(s, "v")),
        Delimited(11, Entry("k", s)),
        Delimited(7, Delimited(2, s)),
        Delimited(7, Delimited(3, Entry(s, "v"))),
        Delimited(7, Delimited(3, Entry("k", s))),
        Delimited(7, series + Delimited(12, Delimited(1, s))),
        Delimited(7, series + Delimited(13, Delimited(1, s))),
        // Unknown fields are not checked.
        Delimited(7, series + Delimited(99, s)),
        Delimited(99, s),
    };
    LearningResolver resolver;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ExpectAgrees(inputs[i], resolver, "string case " + std::to_string(i));
    }
  }
}

TEST(BatchDecoderTest, RefusesBadTagsAndWireTypesAsProtobufDoes) {
  const std::string series = Delimited(2, "busyTimeMsPerSecond") + VarintField(5, 1);
  std::vector<std::string> cases = {
      std::string("\x00", 1),       // tag 0
      std::string("\x00\x01", 2),   // tag 0 then more
      Tag(0, 2) + Varint(1) + "x",  // field 0
      Tag(0, 0) + Varint(1),        // field 0, varint
      Tag(3, 6),
      Tag(3, 7),
      Tag(99, 6),                                                       // wire types 6, 7
      Tag(3, 4),                                                        // a stray end-group
      Tag(99, 4),                                                       //
      Tag(99, 3),                                                       // an unclosed group
      Tag(99, 3) + Tag(98, 4),                                          // a group closed by another
      Tag(99, 3) + Tag(99, 4),                                          // an empty group: fine
      Tag(3, 3) + Tag(3, 4),                                            // a known number as a group
      std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11),  // 11-byte tag
      std::string("\x8a\x80\x80\x80\x00", 5) + Varint(1) + "x",         // 5-byte tag of field 1
      std::string("\x8a\x80\x80\x80\x10", 5) + Varint(1) + "x",         // bits past 32
      std::string("\x8a\x80\x80\x80\x80\x00", 6) + Varint(1) + "x",     // 6-byte tag
      Tag(3, 0) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10),  // 10-byte varint
      Tag(3, 0) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10),  // bits past 64
      Tag(3, 0) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),  // 11 bytes
      Tag(3, 0) + std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80", 10),      // unended
      Tag(9, 0) + std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10),      // uint32 field
      Tag(1, 2) + std::string("\x81\x80\x80\x80\x00", 5) + "x",     // 5-byte length of 1
      Tag(1, 2) + std::string("\xff\xff\xff\xff\x07", 5),           // length near 2 GiB
      Tag(1, 2) + std::string("\xf0\xff\xff\xff\x07", 5),           // INT_MAX - 15
      Tag(1, 2) + std::string("\xff\xff\xff\xff\x08", 5),           // length >= 2 GiB
      Tag(1, 2) + std::string("\xff\xff\xff\xff\x0f", 5),           //
      Tag(1, 2) + std::string("\x80\x80\x80\x80\x80\x00", 6),       // 6-byte length
      Tag(99, 2) + Varint(5) + "abc",                               // unknown, too long
      Tag(99, 1) + "1234567",                                       // fixed64, short
      Tag(99, 5) + "123",                                           // fixed32, short
      Tag(7, 2) + Varint(3) + "\x2a\x01",                           // series longer than left
      Delimited(7, std::string("\x00", 1)),                         // tag 0 in a series
      Delimited(7, Tag(3, 4)),                                      // end-group in a series
      Delimited(7, Tag(99, 3) + Tag(99, 4)),                        // group in a series
      Delimited(7, Tag(99, 3)),                                     // unclosed in a series
      Delimited(7, series + Tag(6, 1) + "1234567"),                 // short double
      Delimited(7, series + Tag(6, 5) + "1234"),                    // double as fixed32: unknown
      Delimited(7, series + Tag(6, 0) + Varint(4)),                 // double as varint: unknown
      Delimited(7, series + Delimited(12, Tag(2, 0) + Varint(4))),  // instance value as varint
      Delimited(7, series + Delimited(12, Tag(3, 4))),
      Delimited(7, series + Delimited(12, std::string("\x00", 1))),
      Delimited(7, series + Delimited(13, Tag(1, 0) + Varint(4))),  // quantile key as varint
      Delimited(7, series + Delimited(13, Tag(7, 3) + Tag(7, 4))),
      Delimited(7, series + Delimited(3, Tag(2, 5) + "1234")),  // label value as fixed32
      Delimited(7, series + Delimited(3, Tag(1, 4))),
      Delimited(7, series + Delimited(3, Tag(0, 2) + Varint(0))),
      Delimited(7, Delimited(3, Entry("a", "b")) + Delimited(2, "m")),  // identity out of order
      Delimited(7, series + Delimited(2, "n")),                         // metric twice
      Delimited(11, Tag(1, 4)),
      Delimited(11, std::string("\x00", 1)),
      Delimited(11, Tag(3, 3) + Tag(3, 4)),
      Delimited(11, Entry("a", "b") + Entry("c", "d")),  // key and value twice
  };
  // Groups nested around the recursion limit, at the batch's level and
  // inside a series and a map entry.
  for (int depth : {97, 98, 99, 100, 101, 102}) {
    std::string nested;
    for (int i = 0; i < depth; ++i) nested += Tag(static_cast<uint32_t>(50 + i % 3), 3);
    const size_t middle = nested.size();
    for (int i = depth; i-- > 0;) nested += Tag(static_cast<uint32_t>(50 + i % 3), 4);
    std::string in_series = series;
    in_series += nested;
    std::string in_entry = Entry("a", "b");
    in_entry += nested;
    std::string around = nested;
    around.insert(middle, VarintField(1, 1));
    cases.push_back(nested);
    cases.push_back(Delimited(7, in_series));
    cases.push_back(Delimited(7, series + Delimited(3, in_entry)));
    cases.push_back(Delimited(7, series + Delimited(12, nested)));
    cases.push_back(around);
  }
  LearningResolver resolver;
  for (size_t i = 0; i < cases.size(); ++i) {
    ExpectAgrees(cases[i], resolver, "case " + std::to_string(i));
    // The same after a valid batch's fields, and before them.
    ExpectAgrees(Delimited(7, series) + cases[i], resolver, "after, case " + std::to_string(i));
    ExpectAgrees(cases[i] + Delimited(7, series), resolver, "before, case " + std::to_string(i));
  }
}

// Random damage to valid batches, the resolver having learnt them first so
// that damaged series go through its compare-the-prefix path too.
TEST(BatchDecoderTest, AgreesWithProtobufOnDamagedBatches) {
  std::mt19937_64 rng(1234);
  const std::vector<std::string> inputs = WellFormed();
  int accepted = 0;
  int refused = 0;
  for (int round = 0; round < 20'000; ++round) {
    const std::string& original = inputs[1 + rng() % (inputs.size() - 1)];
    LearningResolver resolver;
    ASSERT_TRUE(Disagreement(original, resolver).empty());
    std::string bytes = original;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && !bytes.empty(); --edits) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
          break;
        case 2:
          bytes.erase(at, 1 + rng() % 3);
          break;
        default:
          bytes.insert(at, 1, static_cast<char>(rng()));
      }
    }
    const std::string error = Disagreement(bytes, resolver);
    ASSERT_TRUE(error.empty()) << "round " << round << ": " << error;
    v1::MetricBatch message;
    (message.ParseFromString(bytes) ? accepted : refused)++;
  }
  // Both outcomes were exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

TEST(BatchDecoderTest, KnownSeriesTakeThePrefixPath) {
  std::mt19937_64 rng(5);
  const std::string bytes = RandomBatch(rng, 8).SerializeAsString();
  LearningResolver resolver;
  ASSERT_TRUE(Disagreement(bytes, resolver).empty());
  EXPECT_GT(resolver.hits(), 0u);
}

TEST(BatchDecoderTest, Utf8CheckFollowsProtobuf) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii text, longer than a word"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xe0\x9f\xbf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));  // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("abcdefgh\xe2\x82"));  // cut short
  EXPECT_FALSE(IsValidUtf8("\xe2\x28\xa1"));      // not a continuation
}

}  // namespace
}  // namespace vitals::scorer
