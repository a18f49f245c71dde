// HealthFollower end to end: two fake scorer replicas publish HealthReports
// tagged with their URLs to the embedded Kafka, and a follower on a
// ManualTimeSource (years after the wall clock, as evaluated_at_ms is in
// the scorer's tests) fills a FleetView with every job.

#include "scorer/fleet/health_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/embedded_cluster.h"
#include "common/kafka/producer.h"

namespace vitals::scorer {
namespace {

constexpr int64_t kT = 1'924'992'000'000;  // 2031-01-01T00:00:00Z
constexpr char kTopic[] = "flink.health";
constexpr char kReplicaA[] = "http://scorer-0.scorer:9095";
constexpr char kReplicaB[] = "http://scorer-1.scorer:9095";

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

class FakeReplica {
 public:
  FakeReplica(const std::string& bootstrap, std::string url) : url_(std::move(url)) {
    auto producer = kafka::KafkaProducer::Create({{"bootstrap.servers", bootstrap}}, nullptr);
    EXPECT_TRUE(producer.ok()) << producer.status();
    if (producer.ok()) producer_ = std::move(*producer);
  }

  void Publish(const std::string& job, int64_t evaluated_at_ms, double score) {
    v1::HealthReport report;
    report.set_job_name(job);
    report.set_job_id("id-" + job);
    report.set_evaluated_at_ms(evaluated_at_ms);
    report.set_score(score);
    PublishRaw(job, report.SerializeAsString());
  }
  void PublishRaw(const std::string& key, const std::string& value) {
    ASSERT_TRUE(
        producer_->Produce(kTopic, key, value, 0, {{std::string(kScorerUrlHeader), url_}}).ok());
  }
  void Flush() { ASSERT_TRUE(producer_->Flush(absl::Seconds(10)).ok()); }

 private:
  std::string url_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
};

TEST(HealthFollowerTest, HoldsEveryJobOfTheFleetWithItsReplica) {
  auto cluster = kafka::EmbeddedCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE((*cluster)->CreateTopic(kTopic, 4).ok());
  const std::string bootstrap = (*cluster)->bootstrap_servers();

  ManualTimeSource time(kT);
  FleetView view(absl::Minutes(5));
  HealthFollowerOptions options;
  options.expire_every = absl::Seconds(10);
  options.poll_timeout = absl::Milliseconds(50);
  HealthFollower follower({{"bootstrap.servers", bootstrap}}, options, &view, &time);
  EXPECT_EQ(follower.component_name(), "health follower");
  ASSERT_TRUE(follower.Start().ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(follower.Start()));
  // The embedded Kafka finds no report in the lookback: the follower is
  // caught up as soon as it has assigned itself the partitions.
  ASSERT_TRUE(WaitFor([&] { return follower.caught_up(); }));

  FakeReplica a(bootstrap, kReplicaA);
  FakeReplica b(bootstrap, kReplicaB);
  for (int j = 0; j < 6; ++j) a.Publish(absl::StrCat("job-a", j), kT - 10'000, 7);
  for (int j = 0; j < 6; ++j) b.Publish(absl::StrCat("job-b", j), kT - 10'000, 5);
  // job-moved was handed from A to B: B's newer report wins, and A's late
  // one after it changes nothing.
  a.Publish("job-moved", kT - 20'000, 9);
  a.Flush();
  b.Publish("job-moved", kT - 10'000, 2);
  b.Flush();
  a.Publish("job-moved", kT - 30'000, 8);
  a.PublishRaw("job-broken", "not a health report");
  a.Flush();

  ASSERT_TRUE(WaitFor([&] { return view.counts().stale + view.counts().malformed == 2; }))
      << "applied " << view.counts().applied << ", size " << view.size();
  EXPECT_EQ(view.size(), 13u);
  EXPECT_EQ(view.counts().malformed, 1u);
  std::map<std::string, std::string> url_by_key;
  for (const FleetReport& r : view.Latest()) url_by_key[r.key] = r.replica_url;
  for (int j = 0; j < 6; ++j) {
    EXPECT_EQ(url_by_key[absl::StrCat("job-a", j)], kReplicaA);
    EXPECT_EQ(url_by_key[absl::StrCat("job-b", j)], kReplicaB);
  }
  std::optional<FleetReport> moved = view.Latest("job-moved");
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->replica_url, kReplicaB);
  EXPECT_EQ(moved->report.score(), 2);
  EXPECT_EQ(view.Latest("id-job-b3")->key, "job-b3");

  // Replica A stops reporting; B goes on. Past the expiry (on the
  // TimeSource) A's jobs are forgotten.
  time.Advance(absl::Minutes(4));
  for (int j = 0; j < 6; ++j) b.Publish(absl::StrCat("job-b", j), kT + 230'000, 5);
  b.Flush();
  ASSERT_TRUE(WaitFor([&] { return view.counts().applied == 12 + 2 + 6; }));
  time.Advance(absl::Minutes(2));
  ASSERT_TRUE(WaitFor([&] { return view.size() == 6; })) << view.size();
  for (const FleetReport& r : view.Latest()) EXPECT_EQ(r.replica_url, kReplicaB) << r.key;

  EXPECT_EQ(follower.poll_errors(), 0u);
  EXPECT_TRUE(follower.Shutdown(absl::Now() + absl::Seconds(5)).ok());
  EXPECT_TRUE(follower.Shutdown(absl::Now() + absl::Seconds(5)).ok());
}

TEST(HealthFollowerTest, ShutdownWithoutStartIsOk) {
  ManualTimeSource time(kT);
  FleetView view(absl::Minutes(5));
  HealthFollower follower({{"bootstrap.servers", "127.0.0.1:1"}}, {}, &view, &time);
  EXPECT_TRUE(follower.Shutdown(absl::Now()).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(follower.Start()));
}

TEST(HealthFollowerTest, RefusesPropertiesLibrdkafkaDoesNotKnow) {
  ManualTimeSource time(kT);
  FleetView view(absl::Minutes(5));
  HealthFollower follower({{"bootstrap.servers", "127.0.0.1:1"}, {"no.such.property", "1"}}, {},
                          &view, &time);
  absl::Status s = follower.Start();
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_TRUE(follower.Shutdown(absl::Now()).ok());
}

}  // namespace
}  // namespace vitals::scorer
