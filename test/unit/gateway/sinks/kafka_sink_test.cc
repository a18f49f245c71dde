#include "gateway/sinks/kafka_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "prometheus/registry.h"

namespace vitals::gateway {
namespace {

// The producer seam: keeps what it got, can refuse with QUEUE_FULL, and
// acknowledges on demand.
class FakeProducer : public kafka::MessageProducer {
 public:
  absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                       uint64_t token) override {
    if (queue_full) return absl::ResourceExhaustedError("queue full");
    in_flight.push_back({std::string(key), std::string(value)});
    return absl::OkStatus();
  }
  void Poll(absl::Duration) override {
    while (ack && !in_flight.empty()) {
      delivered.push_back(in_flight.front());
      in_flight.pop_front();
      kafka::DeliveryReport report;
      if (on_delivery) on_delivery(report);
    }
  }
  absl::Status Flush(absl::Duration timeout) override {
    Poll(timeout);
    return in_flight.empty() ? absl::OkStatus() : absl::DeadlineExceededError("in flight");
  }
  int Outstanding() const override { return static_cast<int>(in_flight.size()); }

  bool queue_full = false;
  bool ack = true;
  std::deque<EncodedMessage> in_flight;
  std::vector<EncodedMessage> delivered;
  std::function<void(const kafka::DeliveryReport&)> on_delivery;
};

v1::MetricBatch Batch(const std::string& job, int64_t interval_start, int series) {
  v1::MetricBatch batch;
  batch.set_job_name(job);
  batch.set_job_id("id-" + job);
  batch.set_interval_start_ms(interval_start);
  batch.set_interval_length_ms(10'000);
  for (int i = 0; i < series; ++i) {
    v1::SeriesAggregate* s = batch.add_series();
    s->set_metric("numRecordsInPerSecond");
    (*s->mutable_labels())["operator_name"] = "operator-" + std::to_string(i);
    s->set_count(4);
    s->set_sum(i);
  }
  return batch;
}

TEST(BatchEncoderTest, SplitsOversizedBatchesIntoPartsThatMergeBackToTheWhole) {
  const v1::MetricBatch batch = Batch("orders", 0, 500);
  const size_t limit = batch.ByteSizeLong() / 4;
  std::vector<EncodedMessage> messages = EncodeBatch(batch, limit);
  ASSERT_GE(messages.size(), 4u);
  int series = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].key, "orders");
    EXPECT_LE(messages[i].value.size(), limit);
    v1::MetricBatch part;
    ASSERT_TRUE(part.ParseFromString(messages[i].value));
    EXPECT_EQ(part.part(), i);
    EXPECT_EQ(part.parts(), messages.size());
    EXPECT_EQ(part.job_id(), "id-orders");
    series += part.series_size();
  }
  EXPECT_EQ(series, 500);
  // Small batches stay whole and unnumbered.
  std::vector<EncodedMessage> whole = EncodeBatch(Batch("x", 0, 2), 1 << 20);
  ASSERT_EQ(whole.size(), 1u);
  v1::MetricBatch parsed;
  ASSERT_TRUE(parsed.ParseFromString(whole[0].value));
  EXPECT_EQ(parsed.parts(), 0u);
}

TEST(BatchEncoderTest, TenantQualifiesTheKey) {
  v1::MetricBatch batch = Batch("orders", 0, 1);
  batch.set_tenant("payments");
  EXPECT_EQ(BatchKey(batch), "payments/orders");
}

class KafkaSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<KafkaSink> MakeSink(size_t buffer_bytes, int max_in_flight = 1000) {
    KafkaSinkOptions options;
    options.buffer_bytes = buffer_bytes;
    options.max_in_flight = max_in_flight;
    auto sink = std::make_unique<KafkaSink>(options, &producer_, registry_);
    producer_.on_delivery = [s = sink.get()](const kafka::DeliveryReport& r) { s->OnDelivery(r); };
    return sink;
  }
  prometheus::Registry registry_;
  FakeProducer producer_;
};

TEST_F(KafkaSinkTest, DeliversEveryIntervalInOrderOnceKafkaAnswers) {
  auto sink = MakeSink(1 << 20);
  sink->Publish({Batch("a", 0, 3), Batch("b", 0, 3)});
  sink->Publish({Batch("a", 10'000, 3)});
  sink->Pump(absl::ZeroDuration());
  ASSERT_EQ(producer_.delivered.size(), 3u);
  EXPECT_EQ(sink->delivered(), 3u);
  EXPECT_EQ(sink->buffered_bytes(), 0u);
  v1::MetricBatch last;
  ASSERT_TRUE(last.ParseFromString(producer_.delivered[2].value));
  EXPECT_EQ(last.interval_start_ms(), 10'000);
}

TEST_F(KafkaSinkTest, QueueFullKeepsMessagesBufferedUntilThereIsRoom) {
  auto sink = MakeSink(1 << 20);
  producer_.queue_full = true;
  sink->Publish({Batch("a", 0, 3)});
  sink->Pump(absl::ZeroDuration());
  EXPECT_TRUE(producer_.delivered.empty());
  EXPECT_GT(sink->buffered_bytes(), 0u);
  EXPECT_EQ(sink->failed(), 0u);  // refused for now is not lost
  producer_.queue_full = false;
  sink->Pump(absl::ZeroDuration());
  EXPECT_EQ(producer_.delivered.size(), 1u);
}

TEST_F(KafkaSinkTest, DuringAnOutageAFullBufferDropsTheOldestIntervalsAndCountsThem) {
  // Sized from the largest message (later interval starts encode longer).
  const size_t one_interval = Batch("a", 50'000, 20).ByteSizeLong() + 1;
  auto sink = MakeSink(3 * one_interval + 10, /*max_in_flight=*/1);
  producer_.ack = false;  // brokers down: nothing is acknowledged
  for (int i = 0; i < 6; ++i) {
    sink->Publish({Batch("a", i * 10'000, 20)});
    sink->Pump(absl::ZeroDuration());
  }
  // One message sits in librdkafka's hands; the buffer holds the newest
  // three intervals; the two oldest buffered ones were dropped and counted.
  EXPECT_EQ(sink->intervals_dropped(), 2u);
  producer_.ack = true;
  ASSERT_TRUE(sink->Drain(absl::Now() + absl::Seconds(5)).ok());
  std::vector<int64_t> starts;
  for (const EncodedMessage& m : producer_.delivered) {
    v1::MetricBatch b;
    ASSERT_TRUE(b.ParseFromString(m.value));
    starts.push_back(b.interval_start_ms());
  }
  EXPECT_THAT(starts, ::testing::ElementsAre(0, 30'000, 40'000, 50'000));
}

TEST_F(KafkaSinkTest, DrainReportsWhatWasNotAcknowledgedByTheDeadline) {
  auto sink = MakeSink(1 << 20);
  producer_.ack = false;
  sink->Publish({Batch("a", 0, 1), Batch("b", 0, 1)});
  absl::Status s = sink->Drain(absl::Now() + absl::Milliseconds(100));
  EXPECT_TRUE(absl::IsDeadlineExceeded(s));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("2 messages"));
}

}  // namespace
}  // namespace vitals::gateway
