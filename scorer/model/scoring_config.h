#pragma once

// The `scoring:` section of the scorer config: the sliding window, warm-up,
// every dimension's thresholds and weight, user-defined dimensions, grade
// hysteresis and the rollback rule. Defaults are the model documented in
// docs/scoring.md; every key is optional and an unknown key is an error.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "scorer/dimensions/backpressure.h"
#include "scorer/dimensions/checkpoint.h"
#include "scorer/dimensions/cpu.h"
#include "scorer/dimensions/gc.h"
#include "scorer/dimensions/latency.h"
#include "scorer/dimensions/restarts.h"
#include "scorer/dimensions/skew.h"
#include "scorer/dimensions/user_defined.h"

namespace vitals::scorer {

// Grades are bands of the job score: healthy at >= `healthy`, critical at
// <= `critical`, degraded between. A worse grade takes effect once every
// evaluation for `degrade_after` fell in it; a better one once every
// evaluation for `recover_after` was `margin` inside it — slow to clear, quick
// to warn, like the stabilization windows of Kubernetes' autoscaler.
struct GradeConfig {
  double healthy = 7.0;
  double critical = 4.0;
  double margin = 0.5;
  absl::Duration degrade_after = absl::Seconds(30);
  absl::Duration recover_after = absl::Minutes(2);
};

// See DecideRollback (rollback.h).
struct RollbackConfig {
  // History before the migration that forms the baseline.
  absl::Duration baseline = absl::Hours(1);
  // Time after the migration that is not judged (restore, catch-up); the
  // Flink autoscaler's stabilization interval is 5 min by default.
  absl::Duration settle = absl::Minutes(5);
  // Evaluations needed on each side.
  uint32_t min_points = 18;
  // Median job score drop that is significant.
  double min_drop = 1.5;
  // Median drop that names a dimension as degraded.
  double dimension_drop = 2.0;
  // Share of evaluations after the migration in which a dimension that was
  // not critical before must be critical to force a rollback.
  double critical_share = 0.75;
};

struct ScoringConfig {
  absl::Duration window = absl::Minutes(5);
  // How long after an interval's end batches of it are still merged.
  absl::Duration grace = absl::Seconds(5);
  absl::Duration warmup = absl::Minutes(2);
  // Intervals of data a dimension needs in the window to be graded.
  uint32_t min_intervals = 3;
  // History points kept per job (720 = 2 h at 10 s).
  uint32_t history_points = 720;
  // Below this share of weight with data the grade is `unknown`.
  double min_confidence = 0.4;
  // A job without batches for this long is reported as not_reporting.
  absl::Duration not_reporting_after = absl::Minutes(1);

  LatencyConfig latency;
  CheckpointConfig checkpoint;
  RestartsConfig restarts;
  GcConfig gc;
  CpuConfig cpu;
  BackpressureConfig backpressure;
  SkewConfig skew;
  std::vector<UserDefinedConfig> user_defined;

  GradeConfig grades;
  RollbackConfig rollback;

  // Every inconsistency, one per line, each naming its key under `scoring.`.
  absl::Status Validate() const;
};

// The keys of the `scoring:` section.
void DeclareScoringKeys(config::Keys& keys, ScoringConfig& config);

// Reads the `scoring:` section strictly (unknown keys are errors naming
// their path) and validates it. Errors are also recorded in the map's
// ConfigErrors, so a config check lists them with the rest of the file's.
absl::StatusOr<ScoringConfig> ParseScoringConfig(config::YamlMap& scoring);

}  // namespace vitals::scorer
