#pragma once

// The job's grade with hysteresis, so that a score hovering at a boundary
// does not flap between grades. A worse grade takes effect when every
// evaluation for `degrade_after` crossed its boundary (a job at a critical
// 4.0 is critical); a better grade only when every evaluation for
// `recover_after` was `margin` inside the better band. The first grade, and
// the first after `unknown`, is the score's band right away.
// Hysteresis smooths the border between neighbouring grades only: a grade
// never contradicts its score, so a score in the critical band is never
// graded healthy, nor one in the healthy band critical — such a jump takes
// the score's band at once.

#include <cstdint>
#include <string_view>

#include "scorer/model/scoring_config.h"

namespace vitals::scorer {

enum class Grade { kUnknown, kCritical, kDegraded, kHealthy };
std::string_view GradeName(Grade grade);

class GradeTracker {
 public:
  explicit GradeTracker(const GradeConfig* config) : config_(config) {}

  // One evaluation at `at_ms`. `known` is false when the score is not
  // trustworthy (NaN, or too little of the weight had data).
  Grade Update(double score, bool known, int64_t at_ms);
  // Forgets the grade (a job that ended): the next known score is graded
  // from scratch. Returns kUnknown.
  Grade Reset();
  Grade current() const { return current_; }

 private:
  Grade BandOf(double score) const;

  const GradeConfig* config_;
  Grade current_ = Grade::kUnknown;
  // A grade different from the current one that every evaluation since
  // `pending_since_ms_` pointed to.
  Grade pending_ = Grade::kUnknown;
  int64_t pending_since_ms_ = -1;
};

}  // namespace vitals::scorer
