#include "scorer/window/interval_window.h"

#include <string>

#include "gtest/gtest.h"
#include "scorer/window/metric_selector.h"

namespace vitals::scorer {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kLength = 10'000;

v1::SeriesAggregate Series(std::string metric, double value, std::string task = "Map") {
  v1::SeriesAggregate s;
  s.set_scope(v1::SCOPE_TASKMANAGER_JOB_TASK);
  s.set_metric(std::move(metric));
  s.set_kind(v1::METRIC_KIND_GAUGE);
  (*s.mutable_labels())["task_name"] = std::move(task);
  s.set_count(1);
  s.set_sum(value);
  s.set_min(value);
  s.set_max(value);
  s.set_last(value);
  return s;
}

v1::MetricBatch Batch(std::string gateway, int64_t start, std::vector<v1::SeriesAggregate> series) {
  v1::MetricBatch b;
  b.set_gateway(std::move(gateway));
  b.set_cluster("k8s-eu");
  b.set_job_id("j1");
  b.set_job_name("orders");
  b.set_interval_start_ms(start);
  b.set_interval_length_ms(kLength);
  for (auto& s : series) *b.add_series() = std::move(s);
  return b;
}

class IntervalWindowTest : public ::testing::Test {
 protected:
  IntervalWindowTest() {
    selector_.AddName("busyTimeMsPerSecond");
    selector_.AddPrefix("Status_JVM_GarbageCollector_");
  }
  MetricSelector selector_;
  IntervalWindow window_{&selector_};
};

TEST_F(IntervalWindowTest, MergesGatewaysOfOneIntervalIntoJobWideSeries) {
  ASSERT_EQ(window_.Add(Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 200)})),
            IntervalWindow::AddResult::kAccepted);
  ASSERT_EQ(window_.Add(Batch("node-b", kStart, {Series("busyTimeMsPerSecond", 900)})),
            IntervalWindow::AddResult::kAccepted);
  std::vector<MergedInterval> closed = window_.Close(kStart + kLength + 5000, absl::Seconds(5));
  ASSERT_EQ(closed.size(), 1u);
  auto series = closed[0].Find("busyTimeMsPerSecond");
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0]->count(), 2u);
  EXPECT_DOUBLE_EQ(series[0]->sum(), 1100);
  EXPECT_DOUBLE_EQ(series[0]->min(), 200);
  EXPECT_DOUBLE_EQ(series[0]->max(), 900);
  EXPECT_EQ(closed[0].job_id(), "j1");
  EXPECT_EQ(closed[0].cluster(), "k8s-eu");
  EXPECT_EQ(closed[0].end_ms(), kStart + kLength);
}

TEST_F(IntervalWindowTest, KeepsLabelSetsApart) {
  window_.Add(Batch(
      "node-a", kStart,
      {Series("busyTimeMsPerSecond", 200, "Map"), Series("busyTimeMsPerSecond", 900, "Sink")}));
  auto closed = window_.Close(kStart + kLength, absl::ZeroDuration());
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].Find("busyTimeMsPerSecond").size(), 2u);
}

TEST_F(IntervalWindowTest, ClosesOnlyAfterGraceAndOldestFirst) {
  window_.Add(Batch("node-a", kStart + kLength, {Series("busyTimeMsPerSecond", 1)}));
  window_.Add(Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 1)}));
  EXPECT_TRUE(window_.Close(kStart + kLength + 4999, absl::Seconds(5)).empty());
  auto closed = window_.Close(kStart + 2 * kLength + 5000, absl::Seconds(5));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].start_ms(), kStart);
  EXPECT_EQ(closed[1].start_ms(), kStart + kLength);
  EXPECT_EQ(window_.open_intervals(), 0u);
}

TEST_F(IntervalWindowTest, DropsLateAndDuplicateBatches) {
  window_.Add(Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 1)}));
  EXPECT_EQ(window_.Add(Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 1)})),
            IntervalWindow::AddResult::kDuplicate);
  v1::MetricBatch second_part = Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 1)});
  second_part.set_part(1);
  second_part.set_parts(2);
  EXPECT_EQ(window_.Add(second_part), IntervalWindow::AddResult::kAccepted);
  window_.Close(kStart + kLength, absl::ZeroDuration());
  EXPECT_EQ(window_.Add(Batch("node-b", kStart, {Series("busyTimeMsPerSecond", 1)})),
            IntervalWindow::AddResult::kLate);
  EXPECT_EQ(window_.Add(Batch("node-b", kStart + kLength, {Series("busyTimeMsPerSecond", 1)})),
            IntervalWindow::AddResult::kAccepted);
}

TEST_F(IntervalWindowTest, CanonicalisesNamesAndKeepsOnlySelectedMetrics) {
  window_.Add(Batch("node-a", kStart,
                    {Series("Status.JVM.GarbageCollector.G1 Young Generation.Time", 5),
                     Series("Status_JVM_GarbageCollector_G1_Young_Generation_Time", 7),
                     Series("numBytesOutPerSecond", 1e6)}));
  auto closed = window_.Close(kStart + kLength, absl::ZeroDuration());
  ASSERT_EQ(closed.size(), 1u);
  auto gc = closed[0].Find("Status_JVM_GarbageCollector_G1_Young_Generation_Time");
  ASSERT_EQ(gc.size(), 1u);
  EXPECT_DOUBLE_EQ(gc[0]->sum(), 12);
  EXPECT_TRUE(closed[0].Find("numBytesOutPerSecond").empty());
  EXPECT_EQ(closed[0].series().size(), 1u);
}

TEST_F(IntervalWindowTest, RefusesBeyondTheOpenIntervalLimit) {
  IntervalWindow small(&selector_, 2);
  EXPECT_EQ(small.Add(Batch("a", kStart, {})), IntervalWindow::AddResult::kAccepted);
  EXPECT_EQ(small.Add(Batch("a", kStart + kLength, {})), IntervalWindow::AddResult::kAccepted);
  EXPECT_EQ(small.Add(Batch("a", kStart + 2 * kLength, {})), IntervalWindow::AddResult::kOverflow);
  // An interval already open still takes batches.
  EXPECT_EQ(small.Add(Batch("b", kStart, {})), IntervalWindow::AddResult::kAccepted);
}

TEST_F(IntervalWindowTest, DecodesSerializedBatchesAndRefusesGarbage) {
  const std::string a =
      Batch("node-a", kStart, {Series("busyTimeMsPerSecond", 200)}).SerializeAsString();
  ASSERT_EQ(window_.AddSerialized(a), IntervalWindow::AddResult::kAccepted);
  EXPECT_EQ(window_.AddSerialized(a), IntervalWindow::AddResult::kDuplicate);
  EXPECT_EQ(window_.AddSerialized("\xff\xff\xff not a batch"),
            IntervalWindow::AddResult::kMalformed);
  // Moved-in and decoded batches merge alike.
  window_.Add(Batch("node-b", kStart, {Series("busyTimeMsPerSecond", 900)}));
  auto closed = window_.Close(kStart + kLength, absl::ZeroDuration());
  ASSERT_EQ(closed.size(), 1u);
  ASSERT_EQ(closed[0].Find("busyTimeMsPerSecond").size(), 1u);
  EXPECT_DOUBLE_EQ(closed[0].Find("busyTimeMsPerSecond")[0]->sum(), 1100);
}

// A known series is read by comparing its identity bytes with last
// interval's: the rest of the record is still checked as protobuf checks
// it, and a refused record leaves nothing behind.
TEST_F(IntervalWindowTest, KnownSeriesAreCheckedAndMergedAsNew) {
  auto record = [](int64_t start, double value, const std::string& task) {
    return Batch("node-a", start,
                 {Series("busyTimeMsPerSecond", value, task),
                  Series("busyTimeMsPerSecond", 1, "Source")})
        .SerializeAsString();
  };
  ASSERT_EQ(window_.AddSerialized(record(kStart, 200, "Map")),
            IntervalWindow::AddResult::kAccepted);
  // The same identities the next interval, then a record cut short.
  const std::string next = record(kStart + kLength, 300, "Map");
  EXPECT_EQ(window_.AddSerialized(next.substr(0, next.size() - 3)),
            IntervalWindow::AddResult::kMalformed);
  EXPECT_EQ(window_.open_intervals(), 1u);
  ASSERT_EQ(window_.AddSerialized(next), IntervalWindow::AddResult::kAccepted);
  // Another identity in the same place.
  ASSERT_EQ(window_.AddSerialized(record(kStart + 2 * kLength, 400, "Sink")),
            IntervalWindow::AddResult::kAccepted);
  const auto closed = window_.Close(kStart + 3 * kLength, absl::ZeroDuration());
  ASSERT_EQ(closed.size(), 3u);
  const double want[] = {200, 300, 400};
  const std::string task[] = {"Map", "Map", "Sink"};
  for (size_t i = 0; i < closed.size(); ++i) {
    const auto series = closed[i].Find("busyTimeMsPerSecond");
    ASSERT_EQ(series.size(), 2u) << "interval " << i;
    for (const v1::SeriesAggregate* s : series) {
      const std::string& name = s->labels().at("task_name");
      EXPECT_EQ(s->count(), 1u);
      if (name == "Source") {
        EXPECT_DOUBLE_EQ(s->sum(), 1);
      } else {
        EXPECT_EQ(name, task[i]);
        EXPECT_DOUBLE_EQ(s->sum(), want[i]);
      }
    }
  }
  EXPECT_EQ(window_.known_series(), 3u);
}

TEST_F(IntervalWindowTest, RestoredPositionMakesOlderIntervalsLate) {
  window_.set_closed_until_ms(kStart + kLength);
  EXPECT_EQ(window_.Add(Batch("a", kStart, {})), IntervalWindow::AddResult::kLate);
  EXPECT_EQ(window_.Add(Batch("a", kStart + kLength, {})), IntervalWindow::AddResult::kAccepted);
}

}  // namespace
}  // namespace vitals::scorer
