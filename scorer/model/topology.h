#pragma once

// A job's shape from the metrics Flink reports for every job, kept beside
// its grade so that migration tooling can order jobs by what a move risks
// (GET /api/v1/waves/plan): how many operators and tasks, how wide, and
// how much state a restore from the newest checkpoint carries.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "scorer/window/merged_interval.h"
#include "scorer/window/metric_selector.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

class TopologyTracker {
 public:
  // numRecordsInPerSecond (task and operator scope: Flink's IO metric
  // groups register it for every task and operator, sources included),
  // lastCheckpointFullSize and lastCheckpointSize (JobManager job scope).
  static void DeclareReads(MetricSelector& reads);

  // Takes each figure the interval has; a figure it lacks (a restarting
  // job's tasks are silent) keeps its previous value.
  void Observe(const MergedInterval& interval);

  // The figures so far; untouched parts stay at their defaults.
  void Fill(v1::JobTopology* topology) const;

 private:
  uint32_t operators_ = 0;
  uint32_t tasks_ = 0;
  uint32_t max_parallelism_ = 0;
  uint32_t subtasks_ = 0;
  std::optional<int64_t> checkpointed_bytes_;
  // Scratch of Observe, empty between calls: (task, operator name) or
  // ("", operator id); task name -> subtasks; one series' subtask indexes.
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> operators_seen_;
  absl::flat_hash_map<std::string_view, uint32_t> widest_subtasks_;
  absl::flat_hash_set<std::string_view> subtask_indexes_;
};

}  // namespace vitals::scorer
