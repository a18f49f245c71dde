#include "gateway/aggregate/source_key.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

std::string Encode(std::vector<LabelView> labels, std::string_view metric = "m",
                   std::string_view suffix = "", std::string_view source = "src") {
  SourceKeyEncoder encoder;
  return std::string(encoder.Encode("job", v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR, metric, suffix,
                                    labels, source));
}

TEST(SourceKeyTest, NoLabelValueCanForgeABoundary) {
  // Each pair holds the same bytes split differently across pieces.
  std::set<std::string> keys = {
      Encode({{"a", "bc"}}),
      Encode({{"ab", "c"}}),
      Encode({{"a", "b"}, {"c", ""}}),
      Encode({}, "m", "", "srca"),
      Encode({{"a", ""}}, "m", "", "src"),
      Encode({}, "m_count"),
  };
  EXPECT_EQ(keys.size(), 6u);
  // A summary's `count` field is the series `m_count`: one identity on purpose.
  EXPECT_EQ(Encode({}, "m_count"), Encode({}, "m", "count"));
}

TEST(SourceKeyTest, LongPiecesAndReuse) {
  const std::string long_value(300, 'x');
  SourceKeyEncoder encoder;
  std::vector<LabelView> labels = {{"operator_name", long_value}};
  const std::string first(encoder.Encode("job", v1::SCOPE_TASKMANAGER, "m", "", labels, "s"));
  EXPECT_GT(first.size(), 300u);
  labels[0].value = std::string_view(long_value).substr(0, 299);
  const std::string second(encoder.Encode("job", v1::SCOPE_TASKMANAGER, "m", "", labels, "s"));
  EXPECT_NE(first, second);
  // Every piece length from 0 to 40 round-trips into distinct keys.
  std::set<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) keys.insert(Encode({{"l", long_value.substr(0, n)}}));
  EXPECT_EQ(keys.size(), 41u);
}

TEST(SourceKeyTest, DecodeGivesBackEveryPiece) {
  SourceKeyEncoder encoder;
  const std::string long_value(200, 'v');  // a two-byte length
  const std::vector<LabelView> labels = {{"operator_name", long_value}, {"subtask_index", "3"}};
  const std::string key(encoder.Encode("orders", v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR, "latency",
                                       "count", labels, "pod-1"));
  DecodedSourceKey decoded;
  ASSERT_TRUE(DecodeSourceKey(key, &decoded));
  EXPECT_EQ(decoded.job_name, "orders");
  EXPECT_EQ(decoded.scope, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR);
  EXPECT_EQ(decoded.metric, "latency_count");
  ASSERT_EQ(decoded.labels.size(), 2u);
  EXPECT_EQ(decoded.labels[0].value, long_value);
  EXPECT_EQ(decoded.labels[1].name, "subtask_index");
  EXPECT_EQ(decoded.source, "pod-1");
  // Truncated or extended keys are refused, never read past their end.
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_FALSE(DecodeSourceKey(std::string_view(key).substr(0, n), &decoded)) << n;
  }
  EXPECT_FALSE(DecodeSourceKey(key + "x", &decoded));
}

TEST(SourceKeyTest, SourceOfKeySkipsToTheSender) {
  const std::string long_value(200, 'v');
  const std::string key = Encode({{"a", long_value}, {"subtask_index", "3"}}, "latency", "count",
                                 "push:job/x/instance/tm-1");
  EXPECT_EQ(SourceOfKey(key), "push:job/x/instance/tm-1");
  EXPECT_EQ(SourceOfKey(Encode({}, "m", "", "")), "");
  for (size_t n = 0; n < key.size(); ++n) {
    EXPECT_EQ(SourceOfKey(std::string_view(key).substr(0, n)), "") << n;
  }
  EXPECT_EQ(SourceOfKey(key + "x"), "");
}

TEST(SourceKeyTest, HashDependsOnEveryByte) {
  std::string key(333, 'k');
  const uint64_t base = SourceKeyHash::Hash(key.data(), key.size());
  EXPECT_EQ(base, SourceKeyHash::Hash(key.data(), key.size()));
  std::set<uint64_t> hashes = {base};
  for (size_t i = 0; i < key.size(); ++i) {
    std::string changed = key;
    changed[i] ^= 1;
    hashes.insert(SourceKeyHash::Hash(changed.data(), changed.size()));
  }
  EXPECT_EQ(hashes.size(), key.size() + 1);
  for (size_t n = 0; n < 40; ++n) hashes.insert(SourceKeyHash::Hash(key.data(), n));
  EXPECT_EQ(hashes.size(), key.size() + 1 + 40);
}

}  // namespace
}  // namespace vitals::gateway
