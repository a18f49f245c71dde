// The state writer coalesces history changes to one record per job per
// interval, writes migrations at once, hands a revoked job's unwritten
// changes over, tombstones expired jobs, and retries what the sink refused.

#include "scorer/state/state_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace vitals::scorer {
namespace {

struct Written {
  int32_t partition;
  std::string key;
  std::optional<v1::JobState> state;  // nullopt: tombstone
};

class FakeSink : public StateSink {
 public:
  absl::Status Write(int32_t partition, std::string_view key,
                     std::optional<std::string_view> value) override {
    if (refuse) return absl::ResourceExhaustedError("queue full");
    Written w{partition, std::string(key), std::nullopt};
    if (value) {
      v1::JobState s;
      EXPECT_TRUE(s.ParseFromString(std::string(*value)));
      w.state = s;
    }
    written.push_back(std::move(w));
    return absl::OkStatus();
  }
  bool refuse = false;
  std::vector<Written> written;
};

class StateWriterTest : public ::testing::Test {
 protected:
  StateWriterTest()
      : writer_(
            &sink_, absl::Seconds(30),
            [this](const std::string& key) -> std::optional<OwnedState> {
              auto it = jobs_.find(key);
              if (it == jobs_.end()) return std::nullopt;
              return it->second;
            },
            [this] { return now_ms_; }) {}

  void AddPoint(const std::string& key, int32_t partition) {
    OwnedState& job = jobs_[key];
    job.partition = partition;
    job.state.set_job_name(key);
    job.state.add_history()->set_at_ms(now_ms_);
    writer_.MarkChanged(key);
  }

  FakeSink sink_;
  std::map<std::string, OwnedState> jobs_;
  int64_t now_ms_ = 1'000'000;
  StateWriter writer_;
};

TEST_F(StateWriterTest, HistoryIsWrittenAtMostOncePerIntervalPerJob) {
  AddPoint("a", 4);
  EXPECT_EQ(writer_.PublishDue(), 1u);  // first change: at once
  ASSERT_EQ(sink_.written.size(), 1u);
  EXPECT_EQ(sink_.written[0].partition, 4);
  EXPECT_EQ(sink_.written[0].key, "a");
  EXPECT_EQ(sink_.written[0].state->history_size(), 1);
  EXPECT_EQ(sink_.written[0].state->written_at_ms(), now_ms_);

  for (int i = 0; i < 5; ++i) {
    now_ms_ += 5'000;
    AddPoint("a", 4);
    EXPECT_EQ(writer_.PublishDue(), 0u) << i;
  }
  now_ms_ += 5'000;  // 30 s after the first record
  EXPECT_EQ(writer_.PublishDue(), 1u);
  ASSERT_EQ(sink_.written.size(), 2u);
  EXPECT_EQ(sink_.written[1].state->history_size(), 6);
  // Nothing changed since: nothing written, however long it waits.
  now_ms_ += 600'000;
  EXPECT_EQ(writer_.PublishDue(), 0u);
  EXPECT_EQ(writer_.written(), 2u);
}

TEST_F(StateWriterTest, AMigrationIsWrittenAtOnce) {
  AddPoint("a", 1);
  writer_.PublishDue();
  now_ms_ += 1'000;
  AddPoint("a", 1);
  *jobs_["a"].state.add_migrations() = v1::Migration();
  ASSERT_TRUE(writer_.PublishNow("a").ok());
  ASSERT_EQ(sink_.written.size(), 2u);
  EXPECT_EQ(sink_.written[1].state->migrations_size(), 1);
  // It carried the pending history too: nothing left to write.
  now_ms_ += 60'000;
  EXPECT_EQ(writer_.PublishDue(), 0u);
  EXPECT_TRUE(absl::IsNotFound(writer_.PublishNow("unknown")));
}

TEST_F(StateWriterTest, ARevokedJobHandsOverOnlyUnwrittenChanges) {
  AddPoint("written", 0);
  AddPoint("pending", 1);
  writer_.PublishDue();
  ASSERT_EQ(sink_.written.size(), 2u);
  now_ms_ += 1'000;
  AddPoint("pending", 1);  // not due yet
  OwnedState pending = jobs_["pending"];
  OwnedState written = jobs_["written"];
  jobs_.clear();  // dropped from the registry
  ASSERT_TRUE(writer_.Release("written", written).ok());
  ASSERT_TRUE(writer_.Release("pending", pending).ok());
  ASSERT_EQ(sink_.written.size(), 3u);
  EXPECT_EQ(sink_.written[2].key, "pending");
  EXPECT_EQ(sink_.written[2].partition, 1);
  EXPECT_EQ(sink_.written[2].state->history_size(), 2);
  // Forgotten: later calls write nothing for them.
  now_ms_ += 60'000;
  EXPECT_EQ(writer_.PublishAllChanged(), 0u);
}

TEST_F(StateWriterTest, AnExpiredJobGetsATombstone) {
  AddPoint("old", 5);
  writer_.PublishDue();
  jobs_.clear();
  ASSERT_TRUE(writer_.Tombstone("old", 5).ok());
  ASSERT_EQ(sink_.written.size(), 2u);
  EXPECT_EQ(sink_.written[1].key, "old");
  EXPECT_EQ(sink_.written[1].partition, 5);
  EXPECT_FALSE(sink_.written[1].state.has_value());
}

TEST_F(StateWriterTest, ARefusedWriteIsRetried) {
  sink_.refuse = true;
  AddPoint("a", 0);
  EXPECT_EQ(writer_.PublishDue(), 0u);
  EXPECT_FALSE(writer_.PublishNow("a").ok());
  EXPECT_EQ(writer_.refused(), 2u);
  sink_.refuse = false;
  EXPECT_EQ(writer_.PublishDue(), 1u);
  ASSERT_EQ(sink_.written.size(), 1u);
}

TEST_F(StateWriterTest, AJobNoLongerOwnedIsDropped) {
  AddPoint("a", 0);
  jobs_.clear();
  EXPECT_EQ(writer_.PublishDue(), 0u);
  EXPECT_TRUE(sink_.written.empty());
  EXPECT_EQ(writer_.PublishAllChanged(), 0u);
}

TEST_F(StateWriterTest, ShutdownWritesEveryChangeEvenIfNotDue) {
  AddPoint("a", 0);
  writer_.PublishDue();
  now_ms_ += 1'000;
  AddPoint("a", 0);
  EXPECT_EQ(writer_.PublishDue(), 0u);
  EXPECT_EQ(writer_.PublishAllChanged(), 1u);
  EXPECT_EQ(sink_.written.back().state->history_size(), 2);
}

}  // namespace
}  // namespace vitals::scorer
