// The Scorer in one process on time of its own: batches of a synthetic job
// through the embedded Kafka, grading driven by a ManualTimeSource set
// years after the wall clock. On the wall clock none of these intervals
// would have closed yet, so every report proves the injected time decided.

#include "scorer/scorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/http/client.h"
#include "common/kafka/consumer.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"
#include "test/unit/scorer/model/synthetic_job.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kInterval = 10'000;
// 2031-01-01T00:00:00Z, an interval boundary.
constexpr int64_t kT = 1'924'992'000'000;

class ScorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = kafka::EmbeddedCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    for (const char* topic : {"flink.metrics", "flink.health", "vitals.scorer.state"}) {
      ASSERT_TRUE(cluster_->CreateTopic(topic, 1).ok()) << topic;
    }
    auto producer = kafka::KafkaProducer::Create(
        {{"bootstrap.servers", cluster_->bootstrap_servers()}}, nullptr);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    job_.job_name = "orders";
    job_.interval_ms = kInterval;
    job_.gateways = 1;
    job_.state_since_ms = kT - 3'600'000;
  }

  ScorerConfig Config() const {
    ScorerConfig c;
    c.listen = "127.0.0.1:0";
    c.group_id = "scorer-test";
    c.kafka_properties = {{"bootstrap.servers", cluster_->bootstrap_servers()}};
    c.tick = absl::Milliseconds(100);
    c.scoring.grace = absl::Seconds(1);
    c.scoring.warmup = absl::ZeroDuration();
    c.scoring.min_intervals = 1;
    return c;
  }

  void Produce(int64_t start_ms) {
    for (const v1::MetricBatch& batch : testing::MakeInterval(job_, start_ms)) {
      ASSERT_TRUE(
          producer_->Produce("flink.metrics", batch.job_name(), batch.SerializeAsString(), 0).ok());
    }
    ASSERT_TRUE(producer_->Flush(absl::Seconds(10)).ok());
  }

  // Steps the injected time a tick at a time (the evaluation loop waits
  // for it) until a report of the job whose newest interval starts at
  // `interval_start_ms` appears; at most `ticks` steps.
  static std::optional<v1::HealthReport> StepUntilReport(const Scorer& scorer,
                                                         ManualTimeSource& time,
                                                         int64_t interval_start_ms, int ticks) {
    for (int i = 0; i < ticks; ++i) {
      std::optional<v1::HealthReport> r = scorer.jobs().Latest("orders");
      if (r && r->interval_start_ms() == interval_start_ms) return r;
      time.Advance(absl::Milliseconds(100));
      absl::SleepFor(absl::Milliseconds(50));
    }
    return std::nullopt;
  }

  // Waits (real time, bounded) until the scorer has consumed `batches`
  // batches, as its /metrics counts them: a batch that arrived after the
  // injected time closed its interval would be late and dropped.
  static bool WaitForBatches(const Scorer& scorer, int batches) {
    const std::string want = absl::StrCat("vitals_scorer_batches_consumed_total ", batches, "\n");
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      absl::StatusOr<http::ClientResponse> r =
          http::Fetch("GET", absl::StrCat("http://127.0.0.1:", scorer.http_port(), "/metrics"));
      if (r.ok() && r->body.find(want) != std::string::npos) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  std::unique_ptr<kafka::EmbeddedCluster> cluster_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  testing::SyntheticJob job_;
};

TEST_F(ScorerTest, GradesClosedIntervalsOnItsTimeSourceAndPublishesThem) {
  Produce(kT - 2 * kInterval);
  Produce(kT - kInterval);
  ManualTimeSource time(kT + 1'500);  // past the newest interval's end + grace
  Scorer scorer(Config(), time);
  ASSERT_TRUE(scorer.Start().ok());
  ASSERT_TRUE(WaitForBatches(scorer, 2));
  // Nothing is graded while the injected time stands still: the loop waits
  // for its next tick on it.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_FALSE(scorer.jobs().Latest("orders").has_value());
  std::optional<v1::HealthReport> first = StepUntilReport(scorer, time, kT - kInterval, 50);
  ASSERT_TRUE(first.has_value()) << "no report for the closed intervals";
  EXPECT_GT(first->evaluated_at_ms(), kT + 1'500);
  EXPECT_LE(first->evaluated_at_ms(), kT + 6'500);
  EXPECT_EQ(first->state(), "running");

  // The next interval stays open until the injected time passes its end
  // plus the grace.
  Produce(kT);
  ASSERT_TRUE(WaitForBatches(scorer, 3));
  time.Set(kT + kInterval + 500);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(scorer.jobs().Latest("orders")->interval_start_ms(), kT - kInterval);
  time.Set(kT + kInterval + 1'000);
  std::optional<v1::HealthReport> second = StepUntilReport(scorer, time, kT, 50);
  ASSERT_TRUE(second.has_value()) << "the interval did not close on the injected time";
  EXPECT_GE(second->evaluated_at_ms(), kT + kInterval + 1'000);

  EXPECT_TRUE(scorer.Shutdown(absl::Now() + absl::Seconds(30)).ok());
  EXPECT_TRUE(scorer.Shutdown(absl::Now()).ok()) << "a second shutdown is a no-op";

  // What was graded reached flink.health by the time Shutdown returned.
  auto consumer =
      kafka::KafkaConsumer::Create({{"bootstrap.servers", cluster_->bootstrap_servers()},
                                    {"group.id", "health-reader"},
                                    {"auto.offset.reset", "earliest"}},
                                   {"flink.health"});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  bool saw_second = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!saw_second && absl::Now() < give_up) {
    auto m = (*consumer)->Poll(absl::Milliseconds(100));
    if (!m.ok() || !m->has_value()) continue;
    v1::HealthReport report;
    ASSERT_TRUE(report.ParseFromString((*m)->value));
    EXPECT_EQ((*m)->key, "orders");
    saw_second = report.interval_start_ms() == kT;
  }
  EXPECT_TRUE(saw_second);
  (*consumer)->Close();
}

TEST_F(ScorerTest, AFailedStartNamesTheComponent) {
  ManualTimeSource time(kT);
  Scorer first(Config(), time);
  ASSERT_TRUE(first.Start().ok());
  ScorerConfig taken = Config();
  taken.listen = absl::StrCat("127.0.0.1:", first.http_port());
  taken.group_id = "scorer-test-2";
  Scorer second(taken, time);
  const absl::Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("http server"));
  EXPECT_TRUE(second.Shutdown(absl::Now()).ok());
  EXPECT_TRUE(first.Shutdown(absl::Now() + absl::Seconds(30)).ok());
}

}  // namespace
}  // namespace vitals::scorer
