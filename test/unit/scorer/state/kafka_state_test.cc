// The state topic over the embedded Kafka: records land in the partition
// the writer names, tombstones stay null on the wire, and the reader reads
// exactly the partitions it is asked for, to their end, without a group.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/time/clock.h"
#include "common/kafka/embedded_cluster.h"
#include "scorer/state/kafka_changelog_reader.h"
#include "scorer/state/kafka_state_sink.h"
#include "scorer/state/latest_states.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

struct Read {
  int32_t partition;
  std::string key;
  std::optional<std::string> value;
};

class KafkaStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    ASSERT_TRUE(cluster_->CreateTopic("state", 4).ok());
    auto sink = KafkaStateSink::Create({{"bootstrap.servers", cluster_->bootstrap_servers()}},
                                       "state", [this](const absl::Status& s) {
                                         if (s.ok()) ++acknowledged_;
                                       });
    ASSERT_TRUE(sink.ok()) << sink.status();
    sink_ = std::move(*sink);
    auto reader = KafkaChangelogReader::Create(
        {{"bootstrap.servers", cluster_->bootstrap_servers()}, {"group.id", "test-restore"}});
    ASSERT_TRUE(reader.ok()) << reader.status();
    reader_ = std::move(*reader);
  }

  absl::Status ReadAll(const std::string& topic, const std::vector<int32_t>& partitions,
                       std::vector<Read>* out) {
    return reader_->ReadToEnd(topic, partitions, absl::Now() + absl::Seconds(30),
                              [&](const ChangelogRecord& r) {
                                Read read{r.partition, std::string(r.key), std::nullopt};
                                if (r.value) read.value = std::string(*r.value);
                                out->push_back(std::move(read));
                              });
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<KafkaStateSink> sink_;
  std::unique_ptr<KafkaChangelogReader> reader_;
  int acknowledged_ = 0;
};

TEST_F(KafkaStateTest, ReadsTheAskedPartitionsToTheirEndWithTombstonesAsNull) {
  ASSERT_TRUE(sink_->Write(0, "a", "a1").ok());
  ASSERT_TRUE(sink_->Write(1, "b", "b1").ok());
  ASSERT_TRUE(sink_->Write(0, "a", "a2").ok());
  ASSERT_TRUE(sink_->Write(2, "c", "c1").ok());
  ASSERT_TRUE(sink_->Write(2, "c", std::nullopt).ok());
  ASSERT_TRUE(sink_->Write(3, "d", "").ok());  // empty, not null
  ASSERT_TRUE(sink_->Flush(absl::Seconds(20)).ok());
  EXPECT_EQ(acknowledged_, 6);

  std::vector<Read> read;
  ASSERT_TRUE(ReadAll("state", {0, 2}, &read).ok());
  ASSERT_EQ(read.size(), 4u);
  std::map<int32_t, std::vector<Read>> by_partition;
  for (const Read& r : read) by_partition[r.partition].push_back(r);
  ASSERT_EQ(by_partition[0].size(), 2u);
  EXPECT_EQ(by_partition[0][0].value, "a1");  // offset order
  EXPECT_EQ(by_partition[0][1].value, "a2");
  ASSERT_EQ(by_partition[2].size(), 2u);
  EXPECT_EQ(by_partition[2][0].value, "c1");
  EXPECT_FALSE(by_partition[2][1].value.has_value());

  // The same reader again, other partitions.
  read.clear();
  ASSERT_TRUE(ReadAll("state", {1, 3}, &read).ok());
  ASSERT_EQ(read.size(), 2u);
  for (const Read& r : read) {
    if (r.key == "d") {
      EXPECT_EQ(r.partition, 3);
      EXPECT_EQ(r.value, std::optional<std::string>(""));
    } else {
      EXPECT_EQ(r.key, "b");
      EXPECT_EQ(r.partition, 1);
    }
  }
}

TEST_F(KafkaStateTest, EmptyPartitionsAreReadAtOnce) {
  const absl::Time start = absl::Now();
  std::vector<Read> read;
  ASSERT_TRUE(ReadAll("state", {0, 1, 2, 3}, &read).ok());
  EXPECT_TRUE(read.empty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

TEST_F(KafkaStateTest, APartitionTheTopicLacksIsAConfigurationErrorTheOthersAreRead) {
  ASSERT_TRUE(sink_->Write(0, "a", "a1").ok());
  ASSERT_TRUE(sink_->Flush(absl::Seconds(20)).ok());
  std::vector<Read> read;
  absl::Status s = ReadAll("state", {0, 4}, &read);
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_THAT(s.message(), HasSubstr("4 partitions"));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].key, "a");
}

TEST_F(KafkaStateTest, FoldedThroughLatestStatesTheNewestStateWins) {
  v1::JobState old_state, new_state, other;
  old_state.set_job_name("job");
  new_state.set_job_name("job");
  new_state.add_migrations()->set_to("k8s");
  other.set_job_name("expired");
  ASSERT_TRUE(sink_->Write(1, "job", old_state.SerializeAsString()).ok());
  ASSERT_TRUE(sink_->Write(1, "expired", other.SerializeAsString()).ok());
  ASSERT_TRUE(sink_->Write(1, "job", new_state.SerializeAsString()).ok());
  ASSERT_TRUE(sink_->Write(1, "expired", std::nullopt).ok());
  ASSERT_TRUE(sink_->Flush(absl::Seconds(20)).ok());
  LatestStates fold;
  ASSERT_TRUE(reader_
                  ->ReadToEnd("state", {1}, absl::Now() + absl::Seconds(30),
                              [&](const ChangelogRecord& r) { fold.Apply(r); })
                  .ok());
  std::vector<RestoredJob> jobs = fold.Take();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].key, "job");
  EXPECT_EQ(jobs[0].partition, 1);
  EXPECT_EQ(jobs[0].state.migrations_size(), 1);
}

}  // namespace
}  // namespace vitals::scorer
