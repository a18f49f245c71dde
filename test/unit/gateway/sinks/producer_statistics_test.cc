#include "gateway/sinks/producer_statistics.h"

#include <gtest/gtest.h>

namespace vitals::gateway {
namespace {

// Shaped like librdkafka's statistics: bootstrap and learned broker
// entries, each with its state and its retry count.
constexpr std::string_view kStatistics = R"({
  "name": "rdkafka#producer-1", "type": "producer", "txmsgs": 120,
  "brokers": {
    "127.0.0.1:9092/bootstrap": {"name": "127.0.0.1:9092/bootstrap", "nodeid": -1,
                                  "state": "UP", "txretries": 0},
    "127.0.0.1:9093/1": {"name": "127.0.0.1:9093/1", "nodeid": 1, "state": "UP",
                         "txretries": 17},
    "127.0.0.1:9094/2": {"name": "127.0.0.1:9094/2", "nodeid": 2, "state": "CONNECT",
                         "txretries": 4}
  }
})";

TEST(ProducerStatisticsTest, CountsBrokersUpAndSumsRetries) {
  // The pretty-printed sample has spaces after colons; librdkafka writes
  // none, so normalise it to the wire shape first.
  std::string json;
  for (size_t i = 0; i < kStatistics.size(); ++i) {
    if (kStatistics[i] == ' ' && i > 0 && kStatistics[i - 1] == ':') continue;
    json += kStatistics[i];
  }
  const ProducerStatistics stats = ParseProducerStatistics(json);
  EXPECT_EQ(stats.brokers_up, 2);
  EXPECT_EQ(stats.retries, 21u);
}

TEST(ProducerStatisticsTest, EmptyOrForeignInputGivesZeros) {
  EXPECT_EQ(ParseProducerStatistics("").brokers_up, 0);
  EXPECT_EQ(ParseProducerStatistics("").retries, 0u);
  const ProducerStatistics truncated = ParseProducerStatistics(R"({"txretries":)");
  EXPECT_EQ(truncated.retries, 0u);
}

}  // namespace
}  // namespace vitals::gateway
