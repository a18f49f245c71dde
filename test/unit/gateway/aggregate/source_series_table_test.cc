#include "gateway/aggregate/source_series_table.h"

#include <memory>
#include <string>
#include <vector>

#include "gateway/aggregate/source_key.h"
#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

struct Value {
  int number = 0;
  std::unique_ptr<std::string> heap;  // movable only, like the aggregator's slots
};

uint64_t HashOf(std::string_view key) { return SourceKeyHash::Hash(key.data(), key.size()); }

std::string KeyOf(int i) { return "series-" + std::to_string(i); }

Value& Insert(SourceSeriesTable<Value>& table, std::string_view key, int number) {
  Value& value = table.Insert(key, HashOf(key));
  value.number = number;
  value.heap = std::make_unique<std::string>(key);
  return value;
}

int NumberAt(SourceSeriesTable<Value>& table, std::string_view key) {
  Value* value = table.Find(key, HashOf(key));
  return value == nullptr ? -1 : value->number;
}

TEST(SourceSeriesTableTest, FindsWhatWasInsertedAndNothingElse) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 5000; ++i) Insert(table, KeyOf(i), i);
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(NumberAt(table, KeyOf(i)), i);
  EXPECT_EQ(NumberAt(table, "series-5000"), -1);
  EXPECT_EQ(NumberAt(table, ""), -1);
}

TEST(SourceSeriesTableTest, EqualHashesAreTellApartByKey) {
  SourceSeriesTable<Value> table;
  // Two keys forced onto one hash: the index still keeps them apart.
  table.Insert("a", 42).number = 1;
  table.Insert("b", 42).number = 2;
  EXPECT_EQ(table.Find("a", 42)->number, 1);
  EXPECT_EQ(table.Find("b", 42)->number, 2);
  EXPECT_EQ(table.Find("c", 42), nullptr);
}

TEST(SourceSeriesTableTest, FindExpectedFollowsTheOrderOfEarlierLookups) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 100; ++i) Insert(table, KeyOf(i), i);
  // The first round was the inserts; a second round in the same order is
  // served from the trace alone.
  EXPECT_EQ(NumberAt(table, KeyOf(0)), 0);
  for (int i = 1; i < 100; ++i) {
    Value* value = table.FindExpected(KeyOf(i));
    ASSERT_NE(value, nullptr) << i;
    EXPECT_EQ(value->number, i);
  }
  // Out of order: no guess, and a wrong key is never returned.
  EXPECT_EQ(NumberAt(table, KeyOf(10)), 10);
  EXPECT_EQ(table.FindExpected(KeyOf(50)), nullptr);
  EXPECT_EQ(NumberAt(table, KeyOf(50)), 50);
  // The trace learnt 10 -> 50 and keeps 50 -> 51.
  EXPECT_EQ(table.FindExpected(KeyOf(51))->number, 51);
  EXPECT_EQ(NumberAt(table, KeyOf(10)), 10);
  EXPECT_EQ(table.FindExpected(KeyOf(50))->number, 50);
}

TEST(SourceSeriesTableTest, ErasedEntriesAreNeitherFoundNorGuessed) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 10; ++i) Insert(table, KeyOf(i), i);
  table.EraseIf([](const auto& key, Value& value) {
    EXPECT_EQ(key(), *value.heap);
    return value.number % 2 == 1;
  });
  EXPECT_EQ(table.size(), 5u);
  EXPECT_EQ(NumberAt(table, KeyOf(0)), 0);
  EXPECT_EQ(table.FindExpected(KeyOf(1)), nullptr);  // the trace said 0 -> 1
  for (int i = 0; i < 10; ++i) EXPECT_EQ(NumberAt(table, KeyOf(i)), i % 2 == 0 ? i : -1);
  // A reused entry answers to its new key only.
  Insert(table, "new", 100);
  EXPECT_EQ(NumberAt(table, "new"), 100);
  EXPECT_EQ(NumberAt(table, KeyOf(9)), -1);
}

// Keys as the aggregator makes them: series that share their job and
// metric, or their labels and sender, share the held piece, yet each is
// found by its own key only, and every key is given back whole.
TEST(SourceSeriesTableTest, EncodedKeysSharePiecesAndStayApart) {
  SourceKeyEncoder encoder;
  std::vector<std::string> keys;
  const std::string long_job(200, 'j');  // a length of two bytes: the slow split
  for (const std::string& job : {std::string("orders"), long_job}) {
    for (std::string metric : {"numRecordsIn", "numRecordsOut", "numRecordsIn_count"}) {
      for (int subtask = 0; subtask < 4; ++subtask) {
        const std::string index = std::to_string(subtask);
        const std::vector<LabelView> labels = {{"operator_name", "Map"}, {"subtask_index", index}};
        keys.emplace_back(encoder.Encode(job, v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR, metric, "",
                                         labels, "push:pod-" + index));
      }
    }
  }
  SourceSeriesTable<Value> table;
  for (size_t i = 0; i < keys.size(); ++i) Insert(table, keys[i], static_cast<int>(i));
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(NumberAt(table, keys[i]), i);
  // The metric of one key with the labels of another: no such series.
  const size_t split = SourceKeyLabelsAt(keys[0]);
  EXPECT_EQ(split, SourceKeyLabelsAt(keys[1]));
  const std::string crossed = keys[4].substr(0, split) + keys[1].substr(split);
  EXPECT_EQ(NumberAt(table, crossed), -1);
  EXPECT_NE(SourceKeyLabelsAt(keys[12]), keys[12].size());  // the long job splits too
  EXPECT_EQ(SourceKeyLabelsAt("not an encoding"), std::string("not an encoding").size());
  std::vector<std::string> seen;
  table.ForEach([&](std::string_view key, Value&) { seen.emplace_back(key); });
  EXPECT_EQ(seen, keys);
  // Erased, the pieces go; put back, they are found again.
  table.EraseIf([](const auto& /*key*/, Value& /*value*/) { return true; });
  EXPECT_EQ(NumberAt(table, keys[5]), -1);
  Insert(table, keys[5], 5);
  EXPECT_EQ(NumberAt(table, keys[5]), 5);
}

TEST(SourceSeriesTableTest, VisitsOldestFirst) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 3000; ++i) Insert(table, KeyOf(i), i);
  std::vector<int> seen;
  table.ForEach([&](std::string_view key, Value& value) {
    EXPECT_EQ(key, KeyOf(value.number));
    seen.push_back(value.number);
  });
  ASSERT_EQ(seen.size(), 3000u);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(seen[i], i);
}

TEST(SourceSeriesTableTest, CompactionKeepsLiveEntriesTheirOrderAndValues) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 10'000; ++i) Insert(table, KeyOf(i), i);
  // Nine in ten go: more than half the entries are free, so it compacts.
  table.EraseIf([](const auto& /*key*/, Value& value) { return value.number % 10 != 0; });
  ASSERT_EQ(table.size(), 1000u);
  std::vector<int> seen;
  table.ForEach([&](std::string_view key, Value& value) {
    EXPECT_EQ(key, *value.heap);
    seen.push_back(value.number);
  });
  ASSERT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[i], i * 10);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(NumberAt(table, KeyOf(i)), i % 10 == 0 ? i : -1);
  // The trace is learnt again after compaction.
  EXPECT_EQ(NumberAt(table, KeyOf(0)), 0);
  EXPECT_EQ(NumberAt(table, KeyOf(10)), 10);
  EXPECT_EQ(NumberAt(table, KeyOf(0)), 0);
  EXPECT_EQ(table.FindExpected(KeyOf(10))->number, 10);
  // And it keeps taking new entries.
  for (int i = 10'000; i < 12'000; ++i) Insert(table, KeyOf(i), i);
  EXPECT_EQ(table.size(), 3000u);
  EXPECT_EQ(NumberAt(table, KeyOf(11'999)), 11'999);
}

TEST(SourceSeriesTableTest, ASmallTableGivesItsMemoryBackToo) {
  SourceSeriesTable<Value> table;
  for (int i = 0; i < 600; ++i) Insert(table, KeyOf(i), i);
  EXPECT_EQ(table.capacity(), 1024u);
  // Less than a chunk's worth expires, but more than half the table: it
  // compacts, and an empty table keeps no chunk at all.
  table.EraseIf([](const auto& /*key*/, Value& value) { return value.number >= 200; });
  EXPECT_EQ(table.size(), 200u);
  EXPECT_EQ(NumberAt(table, KeyOf(199)), 199);
  EXPECT_EQ(NumberAt(table, KeyOf(200)), -1);
  table.EraseIf([](const auto& /*key*/, Value& /*value*/) { return true; });
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.capacity(), 0u);
  Insert(table, KeyOf(7), 7);
  EXPECT_EQ(NumberAt(table, KeyOf(7)), 7);
}

TEST(SourceSeriesTableTest, KeysLargerThanAKeyChunk) {
  SourceSeriesTable<Value> table;
  const std::string huge(3 << 20, 'k');
  Insert(table, "small", 1);
  Insert(table, huge, 2);
  Insert(table, "after", 3);
  EXPECT_EQ(NumberAt(table, "small"), 1);
  EXPECT_EQ(NumberAt(table, huge), 2);
  EXPECT_EQ(NumberAt(table, "after"), 3);
  EXPECT_EQ(NumberAt(table, huge.substr(1)), -1);
}

}  // namespace
}  // namespace vitals::gateway
