// The state topic over the embedded Kafka: records land in the partition
// the writer names, tombstones stay null on the wire, and the reader reads
// exactly the partitions it is asked for, to their end, without a group.
// A record too large for the producer is reported as failed (it gets no
// delivery report), and a job's largest state is trimmed to fit and
// restores.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/embedded_cluster.h"
#include "scorer/job_registry.h"
#include "scorer/state/job_state_store.h"
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
                                         if (s.ok()) {
                                           ++acknowledged_;
                                         } else {
                                           failed_.push_back(s);
                                         }
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
  std::vector<absl::Status> failed_;
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

TEST_F(KafkaStateTest, ARecordOverMessageMaxBytesIsReportedAsFailedTooLarge) {
  EXPECT_EQ(sink_->max_record_bytes(), 1'000'000u - 1024) << "librdkafka's default";
  const std::string big(1'100'000, 'x');
  const absl::Status s = sink_->Write(0, "a", big);
  EXPECT_TRUE(absl::IsOutOfRange(s)) << s;
  // librdkafka refuses it at once and never reports its delivery: the
  // refusal is the record's report.
  ASSERT_EQ(failed_.size(), 1u);
  EXPECT_EQ(StateWriteFailureReason(failed_[0]), "too_large");
  ASSERT_TRUE(sink_->Flush(absl::Seconds(20)).ok());
  EXPECT_EQ(acknowledged_, 0);
  EXPECT_EQ(failed_.size(), 1u);

  EXPECT_EQ(StateWriteFailureReason(absl::ResourceExhaustedError("")), "queue_full");
  EXPECT_EQ(StateWriteFailureReason(absl::FailedPreconditionError("")), "topic");
  EXPECT_EQ(StateWriteFailureReason(absl::UnavailableError("")), "kafka");
}

TEST_F(KafkaStateTest, TheConfiguredMessageMaxBytesBoundsRecords) {
  auto sink = KafkaStateSink::Create(
      {{"bootstrap.servers", cluster_->bootstrap_servers()}, {"message.max.bytes", "200000"}},
      "state", nullptr);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_EQ((*sink)->max_record_bytes(), 200'000u - 1024);
}

// A job with as much history as it may hold (history_points raised far
// beyond what one message takes) and as many migrations, with the longest
// cluster names: its record is written below message.max.bytes, and
// another replica restores the newest history and every migration from it.
TEST_F(KafkaStateTest, AMaximalJobStateIsWrittenBelowMessageMaxBytesAndRestores) {
  constexpr int64_t kT0 = 1'700'000'000'000;
  ScoringConfig config;
  config.history_points = 10'000;
  v1::JobState big;
  big.set_job_name("orders");
  big.set_last_cluster("k8s-prod-eu");
  for (uint32_t i = 0; i < config.history_points; ++i) {
    v1::HistoryPoint* p = big.add_history();
    p->set_at_ms(kT0 + i * 60'000);
    p->set_score(5 + (i % 50) / 10.0);
    p->set_cluster("k8s-prod-eu");
    p->set_job_id("0123456789abcdef0123456789abcdef");
    for (const char* d :
         {"latency", "checkpoint", "restarts", "gc", "cpu", "backpressure", "skew"}) {
      (*p->mutable_dimensions())[d] = 7.25;
    }
  }
  ASSERT_GT(big.ByteSizeLong(), 1'500'000u);
  JobRegistry owner(&config);
  ASSERT_TRUE(owner.Restore("acme/orders", 2, big, kT0));
  const std::string from = absl::StrCat("yarn-", std::string(123, 'p'));
  const std::string to = absl::StrCat("k8s-", std::string(124, 'e'));
  for (size_t i = 0; i < kMaxMigrationsPerJob + 5; ++i) {
    v1::Migration m;
    m.set_from(from);
    m.set_to(to);
    m.set_at(kT0 + static_cast<int64_t>(i));
    ASSERT_TRUE(owner.AddMigration("acme/orders", m).ok());
  }

  JobStateStoreOptions options;
  options.producer_properties = {{"bootstrap.servers", cluster_->bootstrap_servers()}};
  options.reader_properties = {{"bootstrap.servers", cluster_->bootstrap_servers()}};
  options.topic = "state";
  prometheus::Registry metrics;
  options.metrics = &metrics;
  std::vector<absl::Status> delivered;
  JobStateStore store(
      options, [&](const std::string& key) { return owner.State(key); }, [] { return kT0; },
      [&](const absl::Status& s) { delivered.push_back(s); });
  ASSERT_TRUE(store.Start().ok());
  ASSERT_TRUE(store.writer().PublishNow("acme/orders").ok());
  ASSERT_TRUE(store.sink().Flush(absl::Seconds(20)).ok());
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_TRUE(delivered[0].ok()) << delivered[0];
  EXPECT_EQ(store.writer().trimmed(), 1u);

  std::vector<Read> read;
  ASSERT_TRUE(ReadAll("state", {2}, &read).ok());
  ASSERT_EQ(read.size(), 1u);
  ASSERT_TRUE(read[0].value.has_value());
  EXPECT_LT(read[0].key.size() + read[0].value->size(), 1'000'000u) << "message.max.bytes";
  EXPECT_GT(read[0].value->size(), 900'000u) << "trimmed no more than needed";

  v1::JobState restored_state;
  ASSERT_TRUE(restored_state.ParseFromString(*read[0].value));
  JobRegistry next(&config);
  ASSERT_TRUE(next.Restore("acme/orders", 2, restored_state, kT0));
  std::optional<v1::MigrationList> migrations = next.Migrations("acme/orders");
  ASSERT_TRUE(migrations.has_value());
  ASSERT_EQ(migrations->migrations_size(), static_cast<int>(kMaxMigrationsPerJob));
  EXPECT_EQ(migrations->migrations(migrations->migrations_size() - 1).at(),
            kT0 + static_cast<int64_t>(kMaxMigrationsPerJob) + 4);
  EXPECT_EQ(migrations->migrations(0).from(), from);
  std::optional<v1::JobHistory> history = next.History("acme/orders");
  ASSERT_TRUE(history.has_value());
  ASSERT_GT(history->points_size(), 1000);
  EXPECT_LT(history->points_size(), big.history_size());
  EXPECT_EQ(history->points(history->points_size() - 1).at_ms(),
            big.history(big.history_size() - 1).at_ms())
      << "the newest points are kept";
  EXPECT_EQ(store.Shutdown(absl::Now() + absl::Seconds(10)), absl::OkStatus());
}

}  // namespace
}  // namespace vitals::scorer
