#include "scorer/model/topology.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kRecordsIn = "numRecordsInPerSecond";
// Since Flink 1.15 (FLINK-25557) lastCheckpointSize is what the newest
// checkpoint added (incremental or changelog state) and
// lastCheckpointFullSize the whole state; before, lastCheckpointSize was
// the whole state.
constexpr std::string_view kFullSize = "lastCheckpointFullSize";
constexpr std::string_view kSize = "lastCheckpointSize";

// Subtasks of one series: the distinct subtask indexes when the gateway
// kept them (skew reads this metric), else the source series folded.
// `indexes` is scratch, left empty.
uint32_t SubtasksOf(const v1::SeriesAggregate& s, absl::flat_hash_set<std::string_view>& indexes) {
  if (s.instances_size() == 0) return static_cast<uint32_t>(s.count());
  for (const v1::InstanceValue& v : s.instances()) indexes.insert(v.instance());
  const auto subtasks = static_cast<uint32_t>(indexes.size());
  indexes.clear();
  return subtasks;
}

// The newest completed checkpoint's size in `metric`; none when Flink
// reported -1 (no checkpoint completed yet) or nothing.
std::optional<int64_t> CheckpointBytes(const MergedInterval& interval, std::string_view metric) {
  for (const v1::SeriesAggregate* s : interval.Find(metric)) {
    const double bytes = LastOf(*s);
    if (Has(bytes) && bytes >= 0) return static_cast<int64_t>(std::llround(bytes));
  }
  return std::nullopt;
}

}  // namespace

void TopologyTracker::DeclareReads(MetricSelector& reads) {
  reads.AddName(kRecordsIn);
  reads.AddName(kFullSize);
  reads.AddName(kSize);
}

void TopologyTracker::Observe(const MergedInterval& interval) {
  for (const v1::SeriesAggregate* s : interval.Find(kRecordsIn)) {
    if (s->scope() == v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR) {
      // Operator names repeat across tasks (two `Map`s); the id does not.
      const std::string_view id = LabelOf(*s, "operator_id");
      operators_seen_.emplace(id.empty() ? TaskNameOf(*s) : std::string_view(),
                              id.empty() ? OperatorNameOf(*s) : id);
    } else if (s->scope() == v1::SCOPE_TASKMANAGER_JOB_TASK) {
      // A restart within the interval may leave a task's series twice,
      // under two attempt labels: the widest counts.
      uint32_t& width = widest_subtasks_[TaskNameOf(*s)];
      width = std::max(width, SubtasksOf(*s, subtask_indexes_));
    }
  }
  if (!operators_seen_.empty()) operators_ = static_cast<uint32_t>(operators_seen_.size());
  if (!widest_subtasks_.empty()) {
    tasks_ = static_cast<uint32_t>(widest_subtasks_.size());
    max_parallelism_ = 0;
    subtasks_ = 0;
    for (const auto& [task, width] : widest_subtasks_) {
      max_parallelism_ = std::max(max_parallelism_, width);
      subtasks_ += width;
    }
  }
  // They view the interval's series, which go with it; the containers keep
  // their capacity for the next interval.
  operators_seen_.clear();
  widest_subtasks_.clear();
  std::optional<int64_t> bytes = CheckpointBytes(interval, kFullSize);
  if (!bytes) bytes = CheckpointBytes(interval, kSize);
  if (bytes) checkpointed_bytes_ = bytes;
}

void TopologyTracker::Fill(v1::JobTopology* topology) const {
  topology->set_operators(operators_);
  topology->set_tasks(tasks_);
  topology->set_max_parallelism(max_parallelism_);
  topology->set_subtasks(subtasks_);
  if (checkpointed_bytes_) {
    topology->set_checkpointed_bytes(*checkpointed_bytes_);
  } else {
    topology->clear_checkpointed_bytes();
  }
}

}  // namespace vitals::scorer
