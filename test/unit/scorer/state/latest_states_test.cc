// Folding the state topic: per key the newest record wins, a tombstone
// deletes, a record after a tombstone brings the job back, and bytes that
// are not a JobState are counted, not restored.

#include "scorer/state/latest_states.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <optional>

namespace vitals::scorer {
namespace {

std::string State(const std::string& job, int points) {
  v1::JobState s;
  s.set_job_name(job);
  for (int i = 0; i < points; ++i) s.add_history()->set_at_ms(i);
  return s.SerializeAsString();
}

class LatestStatesTest : public ::testing::Test {
 protected:
  void Put(int32_t partition, const std::string& key, std::optional<std::string> value) {
    values_.push_back(std::move(value));
    ChangelogRecord r;
    r.partition = partition;
    r.offset = static_cast<int64_t>(values_.size());
    r.key = keys_.emplace_back(key);
    if (values_.back()) r.value = *values_.back();
    fold_.Apply(r);
  }
  std::map<std::string, RestoredJob> Take() {
    std::map<std::string, RestoredJob> out;
    for (RestoredJob& j : fold_.Take()) out[j.key] = std::move(j);
    return out;
  }

  LatestStates fold_;
  std::deque<std::string> keys_;
  std::deque<std::optional<std::string>> values_;
};

TEST_F(LatestStatesTest, TheNewestRecordOfAKeyWins) {
  Put(0, "a", State("a", 1));
  Put(1, "b", State("b", 1));
  Put(0, "a", State("a", 3));
  std::map<std::string, RestoredJob> jobs = Take();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs["a"].state.history_size(), 3);
  EXPECT_EQ(jobs["a"].partition, 0);
  EXPECT_EQ(jobs["b"].state.job_name(), "b");
  EXPECT_EQ(jobs["b"].partition, 1);
  EXPECT_EQ(fold_.records(), 3u);
}

TEST_F(LatestStatesTest, ATombstoneDeletesAndALaterRecordRevives) {
  Put(2, "gone", State("gone", 2));
  Put(2, "gone", std::nullopt);
  Put(2, "back", State("back", 1));
  Put(2, "back", std::nullopt);
  Put(2, "back", State("back", 5));
  Put(2, "never-seen", std::nullopt);
  std::map<std::string, RestoredJob> jobs = Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs["back"].state.history_size(), 5);
  EXPECT_EQ(fold_.tombstones(), 3u);
}

TEST_F(LatestStatesTest, AnEmptyValueIsADeletionAndGarbageIsCountedNotRestored) {
  Put(0, "empty", State("empty", 1));
  Put(0, "empty", std::string());
  Put(0, "garbage", std::string("\xff\xff\xff", 3));
  Put(0, "", State("nameless", 1));
  std::map<std::string, RestoredJob> jobs = Take();
  EXPECT_TRUE(jobs.empty());
  EXPECT_EQ(fold_.tombstones(), 1u);
  EXPECT_EQ(fold_.invalid(), 2u);
  // Take() empties the fold.
  EXPECT_TRUE(fold_.Take().empty());
}

}  // namespace
}  // namespace vitals::scorer
