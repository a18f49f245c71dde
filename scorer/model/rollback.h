#pragma once

// Should a job that moved between clusters go back? Compares the history
// before the migration (points on `migration.from`, within `baseline` before
// `migration.at`) with the history after it (points on `migration.to`, from
// `settle` after `migration.at` until now):
//  - insufficient_data: fewer than `min_points` evaluations on either side
//    that judged the job: evaluations marked `unjudged` (a warm-up stood in
//    for dimensions, or too little of the weight had data) do not count;
//  - rollback: the median job score after is at least `min_drop` below the
//    median before, or a dimension that was not critical before is critical
//    in at least `critical_share` of the evaluations after;
//  - keep: otherwise.
// Medians and shares make the verdict immune to single bad intervals: half
// of the evaluations after the move must be bad to move a median.

#include <cstdint>
#include <deque>
#include <span>

#include "scorer/model/scoring_config.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

inline constexpr char kVerdictKeep[] = "keep";
inline constexpr char kVerdictRollback[] = "rollback";
inline constexpr char kVerdictInsufficientData[] = "insufficient_data";

// Fills verdict, reasons, baseline/current scores (means), degraded
// dimensions, migration, interval counts and job_id (from the newest
// point after the move); job_name is the caller's.
v1::RollbackVerdict DecideRollback(const std::deque<v1::HistoryPoint>& history,
                                   const v1::Migration& migration, const ScoringConfig& config,
                                   int64_t now_ms);
// The verdict about the newest of a job's recorded `migrations` (oldest
// first); insufficient_data when none is recorded.
v1::RollbackVerdict DecideRollback(const std::deque<v1::HistoryPoint>& history,
                                   std::span<const v1::Migration> migrations,
                                   const ScoringConfig& config, int64_t now_ms);

}  // namespace vitals::scorer
