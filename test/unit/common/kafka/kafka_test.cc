#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "absl/time/clock.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"
#include "common/kafka/properties.h"

namespace vitals::kafka {
namespace {

using ::testing::HasSubstr;

TEST(PropertiesTest, UnknownPropertyIsInvalidArgumentNamingIt) {
  absl::Status s = ValidateProperties({{"bootstrap.servers", "x:1"}, {"acks", "all"}});
  EXPECT_TRUE(s.ok()) << s;
  s = ValidateProperties({{"linger.mss", "5"}});
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("linger.mss"));
  s = ValidateProperties({{"acks", "some"}});
  EXPECT_THAT(s.message(), HasSubstr("acks"));
}

class RecordingListener : public RebalanceListener {
 public:
  void OnAssigned(const std::vector<TopicPartition>& p) override { assigned += p.size(); }
  void OnRevoked(const std::vector<TopicPartition>& p) override { revoked += p.size(); }
  std::atomic<size_t> assigned{0};
  std::atomic<size_t> revoked{0};
};

TEST(EmbeddedKafkaTest, ProduceAndConsumeThroughAGroupOverTcp) {
  auto cluster = EmbeddedCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->CreateTopic("t", 4).ok());
  const std::string bootstrap = (*cluster)->bootstrap_servers();
  EXPECT_THAT(bootstrap, HasSubstr("127.0.0.1:"));

  std::atomic<int> delivered{0};
  auto producer = KafkaProducer::Create(
      {{"bootstrap.servers", bootstrap}, {"enable.idempotence", "true"}, {"acks", "all"}},
      [&](const DeliveryReport& r) {
        if (r.status.ok()) ++delivered;
      });
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        (*producer)->Produce("t", "job-" + std::to_string(i % 5), "v" + std::to_string(i), i).ok());
  }
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(10)).ok());
  EXPECT_EQ(delivered.load(), 20);

  RecordingListener listener;
  auto consumer = KafkaConsumer::Create(
      {{"bootstrap.servers", bootstrap}, {"group.id", "g"}, {"auto.offset.reset", "earliest"}},
      {"t"}, &listener);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  std::set<std::string> values;
  std::map<std::string, std::set<int32_t>> partitions_by_key;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (values.size() < 20 && absl::Now() < deadline) {
    auto m = (*consumer)->Poll(absl::Milliseconds(100));
    ASSERT_TRUE(m.ok()) << m.status();
    if (!m->has_value()) continue;
    values.insert((*m)->value);
    partitions_by_key[(*m)->key].insert((*m)->partition);
  }
  EXPECT_EQ(values.size(), 20u);
  EXPECT_EQ(listener.assigned.load(), 4u);
  // One key, one partition: a job's batches stay ordered.
  for (const auto& [key, partitions] : partitions_by_key) EXPECT_EQ(partitions.size(), 1u) << key;
  EXPECT_EQ((*consumer)->Lag(), 0);
  (*consumer)->Close();
  EXPECT_EQ(listener.revoked.load(), 4u);
}

TEST(EmbeddedKafkaTest, ProducerRidesOutABrokerOutage) {
  auto cluster = EmbeddedCluster::Start(1);
  ASSERT_TRUE(cluster.ok());
  ASSERT_TRUE((*cluster)->CreateTopic("t", 1).ok());
  std::atomic<int> delivered{0};
  auto producer = KafkaProducer::Create({{"bootstrap.servers", (*cluster)->bootstrap_servers()},
                                         {"enable.idempotence", "true"},
                                         {"message.timeout.ms", "0"},
                                         {"reconnect.backoff.max.ms", "500"}},
                                        [&](const DeliveryReport& r) {
                                          if (r.status.ok()) ++delivered;
                                        });
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Produce("t", "k", "before", 1).ok());
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(10)).ok());
  ASSERT_TRUE((*cluster)->SetBrokerDown(1, true).ok());
  ASSERT_TRUE((*producer)->Produce("t", "k", "during", 2).ok());
  EXPECT_FALSE((*producer)->Flush(absl::Seconds(2)).ok());  // not while the broker is down
  EXPECT_EQ(delivered.load(), 1);
  ASSERT_TRUE((*cluster)->SetBrokerDown(1, false).ok());
  EXPECT_TRUE((*producer)->Flush(absl::Seconds(20)).ok());
  EXPECT_EQ(delivered.load(), 2);
}

}  // namespace
}  // namespace vitals::kafka
