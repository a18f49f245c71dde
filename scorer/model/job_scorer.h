#pragma once

// One job's scorer, keyed by job name: merges the batches of every gateway
// per interval, closes intervals after a grace period, feeds them to the
// dimensions and grades the sliding window. Pure logic: no clock, no I/O —
// the caller passes `now` and ships the reports.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scorer/dimensions/dimension.h"
#include "scorer/dimensions/job_lifecycle.h"
#include "scorer/model/grade.h"
#include "scorer/model/scoring_config.h"
#include "scorer/model/topology.h"
#include "scorer/model/warmup.h"
#include "scorer/window/batch_decoder.h"
#include "scorer/window/interval_window.h"
#include "scorer/window/metric_selector.h"
#include "vitals/v1/health.pb.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

class JobScorer {
 public:
  // `config` must outlive the scorer.
  explicit JobScorer(const ScoringConfig* config);

  // Any gateway, any order. False when the batch is dropped: its interval
  // already closed (late), the same gateway's batch was merged already
  // (a redelivery), or too many intervals are open. The series the
  // dimensions read are merged; nothing of the batch is kept.
  bool Add(const v1::MetricBatch& batch);
  // `decoder` has read the header of a batch (BatchDecoder::DecodeHeader);
  // the series are decoded here. kMalformed when they are not a
  // MetricBatch's.
  IntervalWindow::AddResult Add(BatchDecoder& decoder);
  // The same from a `flink.metrics` record's value (BatchDecoder). False
  // also when the bytes are not a MetricBatch.
  bool AddSerialized(std::string_view bytes);

  // Closes every interval whose end + grace <= now_ms, oldest first, and
  // grades the window after each (each closed interval adds a history
  // point). Returns the newest report when any interval closed.
  std::optional<v1::HealthReport> Evaluate(int64_t now_ms);

  // A job whose batches stopped coming: once `after` has passed between
  // the end of its newest interval and `data_now_ms` (the newest interval
  // of any job: a data clock, so that a stalled pipeline silences no job),
  // its latest report says not_reporting (unless the job had ended: then
  // silence is what comes next). Returns that report once, when it
  // changes; `now_ms` stamps it.
  std::optional<v1::HealthReport> NoteSilence(int64_t data_now_ms, int64_t now_ms,
                                              absl::Duration after);
  // End of the newest interval graded, epoch ms; 0 before any.
  int64_t last_interval_end_ms() const { return last_interval_end_ms_; }

  // The registry's rollback verdict for the latest report (it holds the
  // migrations); kept on the report the API serves.
  void set_rollback_recommended(bool recommended) {
    if (has_latest_) latest_.set_rollback_recommended(recommended);
  }

  // Null before the first evaluation.
  const v1::HealthReport* latest() const { return has_latest_ ? &latest_ : nullptr; }
  // One point per closed interval with a score (oldest first), bounded by
  // `history_points`; the input of rollback verdicts.
  const std::deque<v1::HistoryPoint>& history() const { return history_; }

  // Resumes from the state topic: history, the latest report (until this
  // scorer grades one), and the job id that a new one is a restart against. Batches of intervals
  // the history already covers are then late.
  void RestoreHistory(const v1::JobState& state);

  uint64_t late_batches() const { return late_; }
  uint64_t duplicate_batches() const { return duplicates_; }
  uint64_t overflow_batches() const { return overflows_; }
  uint64_t malformed_batches() const { return malformed_; }

 private:
  bool Counted(IntervalWindow::AddResult result, std::string_view job_name,
               std::string_view tenant);
  // Builds the report of `interval` into `spare_` and swaps it with `latest_`.
  void EvaluateInterval(const MergedInterval& interval, int64_t now_ms);

  const ScoringConfig* config_;
  MetricSelector selector_;
  IntervalWindow window_;
  // Before the dimensions: the restarts dimension reads it.
  JobLifecycleTracker lifecycle_;
  std::vector<std::unique_ptr<Dimension>> dimensions_;
  WarmupTracker warmup_;
  TopologyTracker topology_;
  GradeTracker grade_;
  std::deque<v1::HistoryPoint> history_;
  // The newest report, and the one before it, reused to build the next
  // (cleared messages keep their allocations).
  v1::HealthReport latest_;
  v1::HealthReport spare_;
  bool has_latest_ = false;
  // End of the newest interval graded (or restored), epoch ms; 0: none.
  int64_t last_interval_end_ms_ = 0;
  std::string job_name_;
  std::string tenant_;
  std::string job_id_;
  std::string cluster_;
  uint64_t late_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t overflows_ = 0;
  uint64_t malformed_ = 0;
};

}  // namespace vitals::scorer
