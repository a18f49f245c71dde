// A job's shape read as Flink reports it: every operator and every task
// registers numRecordsInPerSecond (OperatorIOMetricGroup, TaskIOMetricGroup),
// a chained task's operators each at operator scope; lastCheckpointSize is
// -1 before a checkpoint completes and, from Flink 1.15 (FLINK-25557), the
// incremental part beside lastCheckpointFullSize.

#include "scorer/model/topology.h"

#include <gtest/gtest.h>

#include "test/unit/scorer/dimensions/interval_builder.h"

namespace vitals::scorer {
namespace {

using testing::IntervalBuilder;
using testing::Labels;

constexpr auto kTask = v1::SCOPE_TASKMANAGER_JOB_TASK;
constexpr auto kOp = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
constexpr auto kMeter = v1::METRIC_KIND_METER;
constexpr auto kGauge = v1::METRIC_KIND_GAUGE;

// Source -> Map chained into one task of parallelism 4, a window of
// parallelism 2 feeding a sink chained to it: 4 operators, 2 tasks.
IntervalBuilder& Graph(IntervalBuilder& b) {
  const char* source_task = "Source:_orders____Map";
  const char* window_task = "Window____Sink:_out";
  return b
      .Add(kTask, "numRecordsInPerSecond", kMeter, {0, 0, 0, 0}, Labels{{"task_name", source_task}},
           true)
      .Add(kTask, "numRecordsInPerSecond", kMeter, {900, 1100}, Labels{{"task_name", window_task}},
           true)
      .Add(kOp, "numRecordsInPerSecond", kMeter, {0, 0, 0, 0},
           Labels{{"task_name", source_task}, {"operator_name", "Source:_orders"}})
      .Add(kOp, "numRecordsInPerSecond", kMeter, {500, 500, 500, 500},
           Labels{{"task_name", source_task}, {"operator_name", "Map"}})
      .Add(kOp, "numRecordsInPerSecond", kMeter, {900, 1100},
           Labels{{"task_name", window_task}, {"operator_name", "Window"}})
      .Add(kOp, "numRecordsInPerSecond", kMeter, {10, 12},
           Labels{{"task_name", window_task}, {"operator_name", "Sink:_out"}});
}

v1::JobTopology Read(const TopologyTracker& tracker) {
  v1::JobTopology t;
  tracker.Fill(&t);
  return t;
}

TEST(TopologyTest, OperatorsTasksAndParallelismFromTheIoMetrics) {
  TopologyTracker tracker;
  IntervalBuilder b(0);
  tracker.Observe(Graph(b)
                      .Job("lastCheckpointSize", kGauge, 4096)
                      .Job("lastCheckpointFullSize", kGauge, 1 << 20)
                      .Build());
  const v1::JobTopology t = Read(tracker);
  EXPECT_EQ(t.operators(), 4u);
  EXPECT_EQ(t.tasks(), 2u);
  EXPECT_EQ(t.max_parallelism(), 4u);
  EXPECT_EQ(t.subtasks(), 6u);
  // The full size, not the incremental part: a move restores it all.
  ASSERT_TRUE(t.has_checkpointed_bytes());
  EXPECT_EQ(t.checkpointed_bytes(), 1 << 20);
}

TEST(TopologyTest, BeforeFlink115TheOneSizeIsTheFullSize) {
  TopologyTracker tracker;
  tracker.Observe(IntervalBuilder(0).Job("lastCheckpointSize", kGauge, 5000).Build());
  ASSERT_TRUE(Read(tracker).has_checkpointed_bytes());
  EXPECT_EQ(Read(tracker).checkpointed_bytes(), 5000);
}

TEST(TopologyTest, NoCompletedCheckpointIsNoSize) {
  TopologyTracker tracker;
  tracker.Observe(IntervalBuilder(0)
                      .Job("lastCheckpointSize", kGauge, -1)
                      .Job("lastCheckpointFullSize", kGauge, -1)
                      .Build());
  EXPECT_FALSE(Read(tracker).has_checkpointed_bytes());
}

TEST(TopologyTest, ARestartsSilentTasksKeepTheShape) {
  TopologyTracker tracker;
  IntervalBuilder b(0);
  tracker.Observe(Graph(b).Job("lastCheckpointFullSize", kGauge, 777).Build());
  // RESTARTING: the tasks' metric groups are closed, the JobManager's
  // gauges still report.
  tracker.Observe(IntervalBuilder(1).Job("lastCheckpointFullSize", kGauge, 800).Build());
  const v1::JobTopology t = Read(tracker);
  EXPECT_EQ(t.operators(), 4u);
  EXPECT_EQ(t.max_parallelism(), 4u);
  EXPECT_EQ(t.checkpointed_bytes(), 800);
}

TEST(TopologyTest, SameOperatorNameInTwoTasksIsTwoOperators) {
  TopologyTracker tracker;
  tracker.Observe(IntervalBuilder(0)
                      .Add(kOp, "numRecordsInPerSecond", kMeter, {1},
                           Labels{{"task_name", "A"}, {"operator_name", "Map"}})
                      .Add(kOp, "numRecordsInPerSecond", kMeter, {1},
                           Labels{{"task_name", "B"}, {"operator_name", "Map"}})
                      .Build());
  EXPECT_EQ(Read(tracker).operators(), 2u);
}

TEST(TopologyTest, SubtasksAreCountedOnceWhenTwoAttemptsReported) {
  // A restart inside the interval: subtask 0 and 1 of the old attempt and
  // of the new one, folded into one series with four source series.
  v1::SeriesAggregate s;
  s.set_scope(kTask);
  s.set_metric("numRecordsInPerSecond");
  s.set_kind(kMeter);
  (*s.mutable_labels())["task_name"] = "Window";
  s.set_count(4);
  for (const char* index : {"0", "1", "0", "1"}) {
    v1::InstanceValue* v = s.add_instances();
    v->set_instance(index);
    v->set_value(1);
  }
  TopologyTracker tracker;
  tracker.Observe(MergedInterval(testing::kT0, testing::kInterval, "job", "k8s", {s}));
  EXPECT_EQ(Read(tracker).max_parallelism(), 2u);
}

}  // namespace
}  // namespace vitals::scorer
