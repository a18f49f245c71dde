#pragma once

// checkpoint: can the job recover from a recent state? Three signals, the
// worst decides:
//  - failed share: failed / (completed + failed) checkpoints in the window;
//  - staleness: time since the last completed checkpoint (since the restart
//    if that is later), judged against the checkpoint cadence the scorer
//    has learned for this job, as the Flink Kubernetes Operator judges
//    checkpoint progress against the configured interval;
//  - duration ratio: lastCheckpointDuration / cadence (>= 1: checkpoints run
//    back to back and the configured interval is not met).
// A job that never completed or failed a checkpoint has checkpointing off:
// UNKNOWN, not healthy.

#include <string_view>

#include "scorer/dimensions/windowed_dimension.h"
#include "scorer/window/series_values.h"

namespace vitals::scorer {

struct CheckpointConfig {
  bool enabled = true;
  double weight = 2.0;
  Band failed_share{0, 0.1, 0.5, 1.0};
  // Seconds since the last completed checkpoint, before scaling by the
  // cadence: each anchor becomes max(anchor, k × cadence) with k = 1, 1.5,
  // 2 and 4, so a job checkpointing every 10 min is not called stale at 6.
  // 300 s: Alibaba's advisor pages on no successful checkpoint in 5 min.
  Band staleness_seconds{60, 120, 300, 900};
  Band duration_ratio{0.2, 0.5, 1.0, 2.0};
};

// One interval's completed and failed checkpoints and longest duration.
struct CheckpointSample {
  double completed = kMissing;
  double failed = kMissing;
  double duration_ms = kMissing;
};

class CheckpointDimension : public WindowedDimension<CheckpointConfig, CheckpointSample> {
 public:
  explicit CheckpointDimension(const CheckpointConfig* config)
      : WindowedDimension("checkpoint", config) {}
  void DeclareReads(MetricSelector& reads) const override;
  void Observe(const MergedInterval& interval) override;
  v1::DimensionScore Score(const EvalContext& ctx) const override;
  bool waits_for_warmup() const override { return false; }

  // The learned time between checkpoint attempts, ms; kMissing until two
  // attempts were seen.
  double cadence_ms() const { return cadence_ms_; }

 private:
  // Lifetime state: what the window alone cannot tell.
  int64_t first_seen_ms_ = 0;
  int64_t last_completed_end_ms_ = 0;
  int64_t last_attempt_end_ms_ = 0;
  double cadence_ms_ = kMissing;
  double previous_completed_ = kMissing;
  double previous_failed_ = kMissing;
};

}  // namespace vitals::scorer
