#include "scorer/model/topology.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
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
uint32_t SubtasksOf(const v1::SeriesAggregate& s) {
  if (s.instances_size() == 0) return static_cast<uint32_t>(s.count());
  absl::flat_hash_set<std::string_view> indexes;
  for (const v1::InstanceValue& v : s.instances()) indexes.insert(v.instance());
  return static_cast<uint32_t>(indexes.size());
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
  absl::flat_hash_set<std::string> operators;
  // Task → its widest series (a restart within the interval may leave a
  // task's series twice, under two attempt labels).
  absl::flat_hash_map<std::string_view, uint32_t> tasks;
  for (const v1::SeriesAggregate* s : interval.Find(kRecordsIn)) {
    if (s->scope() == v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR) {
      // Operator names repeat across tasks (two `Map`s); the id does not.
      const std::string_view id = LabelOf(*s, "operator_id");
      operators.insert(
          id.empty() ? absl::StrCat(AsAbsl(TaskNameOf(*s)), "\x1f", AsAbsl(OperatorNameOf(*s)))
                     : std::string(id));
    } else if (s->scope() == v1::SCOPE_TASKMANAGER_JOB_TASK) {
      uint32_t& width = tasks[TaskNameOf(*s)];
      width = std::max(width, SubtasksOf(*s));
    }
  }
  if (!operators.empty()) operators_ = static_cast<uint32_t>(operators.size());
  if (!tasks.empty()) {
    tasks_ = static_cast<uint32_t>(tasks.size());
    max_parallelism_ = 0;
    subtasks_ = 0;
    for (const auto& [task, width] : tasks) {
      max_parallelism_ = std::max(max_parallelism_, width);
      subtasks_ += width;
    }
  }
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
