// TopicFollower against librdkafka's mock cluster over loopback TCP.
//
// The mock (librdkafka 2.0) answers every offsets-for-times lookup with -1,
// "no record at or after that time", so against it a follower always starts
// at the partitions' ends: the tests check that records from before the
// start are skipped and that everything produced afterwards arrives, from
// every partition, with its headers.

#include "common/kafka/topic_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"

namespace vitals::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

class TopicFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    auto producer = KafkaProducer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()}},
                                          [this](const DeliveryReport& r) {
                                            if (!r.status.ok()) ++failed_;
                                          });
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }

  std::unique_ptr<TopicFollower> Follow(const std::string& topic, int64_t start_ms,
                                        absl::Duration refresh = absl::Seconds(30)) {
    TopicFollower::Options options;
    options.topic = topic;
    options.start_ms = start_ms;
    options.metadata_refresh = refresh;
    options.retry_backoff = absl::Milliseconds(100);
    auto follower =
        TopicFollower::Create({{"bootstrap.servers", cluster_->bootstrap_servers()}}, options);
    EXPECT_TRUE(follower.ok()) << follower.status();
    return follower.ok() ? std::move(*follower) : nullptr;
  }

  // One record to each of `partitions`, value `<prefix><p>`, headers naming
  // the partition.
  void ProduceToEach(const std::string& topic, int partitions, const std::string& prefix) {
    for (int p = 0; p < partitions; ++p) {
      // To the partition itself, not through the key's hash.
      rd_kafka_headers_t* headers = rd_kafka_headers_new(2);
      const std::string value = absl::StrCat(prefix, p);
      const std::string partition = absl::StrCat(p);
      rd_kafka_header_add(headers, "partition", -1, partition.data(), partition.size());
      rd_kafka_header_add(headers, "empty", -1, nullptr, 0);
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          raw_producer(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
          RD_KAFKA_V_KEY(value.data(), value.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);
      ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    }
    ASSERT_EQ(rd_kafka_flush(raw_producer(), 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  rd_kafka_t* raw_producer() {
    if (raw_ == nullptr) {
      rd_kafka_conf_t* conf = rd_kafka_conf_new();
      char err[512];
      rd_kafka_conf_set(conf, "bootstrap.servers", cluster_->bootstrap_servers().c_str(), err,
                        sizeof(err));
      raw_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    }
    return raw_;
  }

  // Polls until `count` records arrived or `timeout` passed.
  std::vector<Message> PollFor(TopicFollower& follower, size_t count,
                               absl::Duration timeout = absl::Seconds(20)) {
    std::vector<Message> out;
    const absl::Time deadline = absl::Now() + timeout;
    while (out.size() < count && absl::Now() < deadline) {
      auto m = follower.Poll(absl::Milliseconds(100));
      if (!m.ok()) continue;  // a refresh retried
      if (m->has_value()) out.push_back(std::move(**m));
    }
    return out;
  }

  void TearDown() override {
    producer_.reset();
    if (raw_ != nullptr) rd_kafka_destroy(raw_);
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  std::unique_ptr<KafkaProducer> producer_;
  rd_kafka_t* raw_ = nullptr;
  std::atomic<int> failed_{0};
};

TEST_F(TopicFollowerTest, ReadsEveryPartitionFromItsStartOnWithHeaders) {
  ASSERT_TRUE(cluster_->CreateTopic("health", 4).ok());
  ProduceToEach("health", 4, "before-");

  auto follower = Follow("health", absl::ToUnixMillis(absl::Now()));
  ASSERT_NE(follower, nullptr);
  EXPECT_FALSE(follower->caught_up());
  ASSERT_TRUE(follower->Refresh().ok());
  EXPECT_THAT(follower->partitions(), ElementsAre(0, 1, 2, 3));
  // Nothing at or after the start time: every partition starts at its end,
  // so there is nothing to catch up on.
  EXPECT_TRUE(follower->caught_up());

  ProduceToEach("health", 4, "after-");
  std::vector<Message> got = PollFor(*follower, 4);
  ASSERT_EQ(got.size(), 4u);
  std::set<int32_t> partitions;
  for (const Message& m : got) {
    partitions.insert(m.partition);
    EXPECT_EQ(m.topic, "health");
    EXPECT_EQ(m.value, absl::StrCat("after-", m.partition)) << "a record from before the start";
    EXPECT_EQ(m.key, m.value);
    EXPECT_GT(m.timestamp_ms, 0);
    EXPECT_THAT(m.headers,
                ElementsAre(Pair("partition", absl::StrCat(m.partition)), Pair("empty", "")));
    EXPECT_EQ(FindHeader(m.headers, "partition"), absl::StrCat(m.partition));
    EXPECT_EQ(FindHeader(m.headers, "missing"), std::nullopt);
  }
  EXPECT_EQ(partitions, (std::set<int32_t>{0, 1, 2, 3}));
  // Nothing more: the records from before the start stay skipped.
  EXPECT_TRUE(PollFor(*follower, 1, absl::Milliseconds(800)).empty());
}

TEST_F(TopicFollowerTest, PollAssignsOnItsOwnAndKeepsReadingWhatComesLater) {
  ASSERT_TRUE(cluster_->CreateTopic("health", 3).ok());
  auto follower = Follow("health", absl::ToUnixMillis(absl::Now() - absl::Minutes(10)));
  ASSERT_NE(follower, nullptr);
  // The first poll reads the partition list and assigns.
  auto first = follower->Poll(absl::Milliseconds(100));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(follower->partitions(), ElementsAre(0, 1, 2));
  for (int round = 0; round < 3; ++round) {
    const std::string prefix = absl::StrCat("r", round, "-");
    ProduceToEach("health", 3, prefix);
    std::vector<Message> got = PollFor(*follower, 3);
    ASSERT_EQ(got.size(), 3u) << "round " << round;
    for (const Message& m : got) EXPECT_EQ(m.value, absl::StrCat(prefix, m.partition));
  }
}

TEST_F(TopicFollowerTest, PartitionsThatAppearLaterAreReadFromTheirBeginning) {
  // The mock cannot add partitions to a topic, but it can hide a topic
  // from metadata answers: the follower's first answer lists no partition,
  // a later one lists two. EmbeddedCluster does not expose its mock, so
  // this test runs one of its own.
  rd_kafka_mock_cluster_t* mock = nullptr;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  rd_kafka_t* mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  ASSERT_NE(mock_rk, nullptr);
  mock = rd_kafka_mock_cluster_new(mock_rk, 1);
  ASSERT_NE(mock, nullptr);
  ASSERT_EQ(rd_kafka_mock_topic_create(mock, "late", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_mock_topic_set_error(mock, "late", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

  TopicFollower::Options options;
  options.topic = "late";
  options.start_ms = absl::ToUnixMillis(absl::Now());
  options.metadata_refresh = absl::Milliseconds(300);
  auto created = TopicFollower::Create(
      {{"bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mock)}}, options);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<TopicFollower> follower = std::move(*created);
  ASSERT_TRUE(follower->Refresh().ok());
  EXPECT_TRUE(follower->partitions().empty());
  EXPECT_TRUE(follower->caught_up());  // nothing to read

  // The topic appears, and records land in it before the follower looks
  // again: they are newer than its first look, so it reads them all.
  rd_kafka_mock_topic_set_error(mock, "late", RD_KAFKA_RESP_ERR_NO_ERROR);
  {
    rd_kafka_conf_t* pconf = rd_kafka_conf_new();
    rd_kafka_conf_set(pconf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mock), err,
                      sizeof(err));
    rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof(err));
    ASSERT_NE(producer, nullptr);
    for (int p = 0; p < 2; ++p) {
      for (int i = 0; i < 3; ++i) {
        const std::string value = absl::StrCat(p, "-", i);
        ASSERT_EQ(rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("late"), RD_KAFKA_V_PARTITION(p),
                                    RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
      }
    }
    ASSERT_EQ(rd_kafka_flush(producer, 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(producer);
  }
  std::vector<Message> got = PollFor(*follower, 6);
  std::set<std::string> values;
  for (const Message& m : got) values.insert(m.value);
  EXPECT_EQ(values, (std::set<std::string>{"0-0", "0-1", "0-2", "1-0", "1-1", "1-2"}));
  EXPECT_THAT(follower->partitions(), ElementsAre(0, 1));
  // Read to the ends they had when assigned.
  for (int i = 0; i < 20 && !follower->caught_up(); ++i)
    (void)follower->Poll(absl::Milliseconds(50));
  EXPECT_TRUE(follower->caught_up());

  follower.reset();
  rd_kafka_mock_cluster_destroy(mock);
  rd_kafka_destroy(mock_rk);
}

TEST_F(TopicFollowerTest, CloseEndsPolling) {
  ASSERT_TRUE(cluster_->CreateTopic("health", 1).ok());
  auto follower = Follow("health", absl::ToUnixMillis(absl::Now()));
  ASSERT_NE(follower, nullptr);
  ASSERT_TRUE(follower->Poll(absl::Milliseconds(10)).ok());
  follower->Close();
  follower->Close();
  auto m = follower->Poll(absl::Milliseconds(10));
  EXPECT_TRUE(absl::IsFailedPrecondition(m.status())) << m.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(follower->Refresh()));
}

TEST_F(TopicFollowerTest, ProducerHeadersReachTheFollower) {
  ASSERT_TRUE(cluster_->CreateTopic("health", 1).ok());
  auto follower = Follow("health", absl::ToUnixMillis(absl::Now()));
  ASSERT_NE(follower, nullptr);
  ASSERT_TRUE(follower->Refresh().ok());
  ASSERT_TRUE(producer_
                  ->Produce("health", "job-a", "report", 1,
                            {{"vitals-scorer-url", "http://replica-1:9095"}, {"x", "1"}})
                  .ok());
  ASSERT_TRUE(producer_->Produce("health", "job-b", "plain", 2).ok());
  ASSERT_TRUE(producer_->Flush(absl::Seconds(10)).ok());
  EXPECT_EQ(failed_.load(), 0);
  std::vector<Message> got = PollFor(*follower, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].key, "job-a");
  EXPECT_THAT(got[0].headers,
              ElementsAre(Pair("vitals-scorer-url", "http://replica-1:9095"), Pair("x", "1")));
  EXPECT_EQ(got[1].key, "job-b");
  EXPECT_TRUE(got[1].headers.empty());
}

TEST(TopicFollowerCreateTest, NeedsATopic) {
  auto follower = TopicFollower::Create({{"bootstrap.servers", "127.0.0.1:1"}}, {});
  EXPECT_TRUE(absl::IsInvalidArgument(follower.status())) << follower.status();
}

}  // namespace
}  // namespace vitals::kafka
