// The restorer asks only for the assigned partitions, hands back the
// latest state per job, and when the budget runs out still hands back what
// it read, with the error.

#include "scorer/state/state_restorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace vitals::scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class FakeChangelog : public ChangelogSource {
 public:
  struct Record {
    int32_t partition;
    std::string key;
    std::optional<std::string> value;
  };
  absl::Status ReadToEnd(const std::string& topic, const std::vector<int32_t>& partitions,
                         absl::Time deadline, const Visitor& visit) override {
    asked_topic = topic;
    asked = partitions;
    asked_deadline = deadline;
    int64_t offset = 0;
    for (const Record& r : records) {
      if (std::find(partitions.begin(), partitions.end(), r.partition) == partitions.end()) {
        continue;
      }
      ChangelogRecord c;
      c.partition = r.partition;
      c.offset = offset++;
      c.key = r.key;
      if (r.value) c.value = *r.value;
      visit(c);
    }
    return status;
  }

  std::vector<Record> records;
  absl::Status status;
  std::string asked_topic;
  std::vector<int32_t> asked;
  absl::Time asked_deadline;
};

std::string State(const std::string& job, int migrations) {
  v1::JobState s;
  s.set_job_name(job);
  for (int i = 0; i < migrations; ++i) s.add_migrations()->set_at(i);
  return s.SerializeAsString();
}

std::vector<std::string> Keys(const RestoreOutcome& outcome) {
  std::vector<std::string> keys;
  for (const RestoredJob& j : outcome.jobs) keys.push_back(j.key);
  return keys;
}

TEST(StateRestorerTest, RestoresTheLatestStateOfTheAssignedPartitionsOnly) {
  FakeChangelog changelog;
  changelog.records = {
      {0, "a", State("a", 1)}, {1, "b", State("b", 1)}, {2, "c", State("c", 1)},
      {0, "a", State("a", 2)}, {1, "b", std::nullopt},  {2, "t/d", State("d", 1)},
  };
  StateRestorer restorer(&changelog, "vitals.scorer.state", absl::Seconds(30));
  const absl::Time before = absl::Now();
  RestoreOutcome outcome = restorer.Restore({0, 1, 2});
  EXPECT_TRUE(outcome.status.ok()) << outcome.status;
  EXPECT_EQ(changelog.asked_topic, "vitals.scorer.state");
  EXPECT_GE(changelog.asked_deadline, before + absl::Seconds(30));
  EXPECT_THAT(Keys(outcome), UnorderedElementsAre("a", "c", "t/d"));
  for (const RestoredJob& j : outcome.jobs) {
    if (j.key == "a") {
      EXPECT_EQ(j.state.migrations_size(), 2);
    }
  }
  EXPECT_EQ(outcome.records, 6u);
  EXPECT_EQ(outcome.tombstones, 1u);

  outcome = restorer.Restore({2});
  EXPECT_THAT(changelog.asked, ElementsAre(2));
  EXPECT_THAT(Keys(outcome), UnorderedElementsAre("c", "t/d"));
  for (const RestoredJob& j : outcome.jobs) EXPECT_EQ(j.partition, 2);
}

TEST(StateRestorerTest, AnUnfinishedReadStillHandsOverWhatWasRead) {
  FakeChangelog changelog;
  changelog.records = {{3, "a", State("a", 1)}};
  changelog.status = absl::DeadlineExceededError("partition 3 not read to its end");
  StateRestorer restorer(&changelog, "s", absl::Milliseconds(10));
  RestoreOutcome outcome = restorer.Restore({3});
  EXPECT_TRUE(absl::IsDeadlineExceeded(outcome.status));
  EXPECT_THAT(Keys(outcome), ElementsAre("a"));
}

TEST(StateRestorerTest, NoPartitionsNoRead) {
  FakeChangelog changelog;
  changelog.asked = {99};
  StateRestorer restorer(&changelog, "s", absl::Seconds(1));
  RestoreOutcome outcome = restorer.Restore({});
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_TRUE(outcome.jobs.empty());
  EXPECT_THAT(changelog.asked, ElementsAre(99));
}

}  // namespace
}  // namespace vitals::scorer
