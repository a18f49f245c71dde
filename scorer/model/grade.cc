#include "scorer/model/grade.h"

#include <algorithm>

namespace vitals::scorer {

std::string_view GradeName(Grade grade) {
  switch (grade) {
    case Grade::kHealthy:
      return "healthy";
    case Grade::kDegraded:
      return "degraded";
    case Grade::kCritical:
      return "critical";
    case Grade::kUnknown:
      break;
  }
  return "unknown";
}

Grade GradeTracker::BandOf(double score) const {
  if (score >= config_->healthy) return Grade::kHealthy;
  if (score <= config_->critical) return Grade::kCritical;
  return Grade::kDegraded;
}

Grade GradeTracker::Reset() {
  current_ = Grade::kUnknown;
  pending_ = Grade::kUnknown;
  pending_since_ms_ = -1;
  return current_;
}

Grade GradeTracker::Update(double score, bool known, int64_t at_ms) {
  if (known && current_ != Grade::kUnknown) {
    const Grade band = BandOf(score);
    const int distance = static_cast<int>(band) - static_cast<int>(current_);
    if (distance >= 2 || distance <= -2) {
      current_ = band;
      pending_since_ms_ = -1;
      return current_;
    }
  }
  Grade candidate;
  absl::Duration hold;
  if (!known) {
    candidate = Grade::kUnknown;
    hold = config_->degrade_after;
  } else if (current_ == Grade::kUnknown) {
    // Nothing to hold on to.
    candidate = BandOf(score);
    hold = absl::ZeroDuration();
  } else {
    candidate = BandOf(score);
    if (candidate > current_) {
      // Better: only as far as the score is `margin` inside.
      candidate = std::max(BandOf(score - config_->margin), current_);
      hold = config_->recover_after;
    } else {
      hold = config_->degrade_after;
    }
  }
  if (candidate == current_) {
    pending_since_ms_ = -1;
    return current_;
  }
  if (candidate != pending_ || pending_since_ms_ < 0) {
    pending_ = candidate;
    pending_since_ms_ = at_ms;
  }
  if (absl::Milliseconds(at_ms - pending_since_ms_) >= hold) {
    current_ = candidate;
    pending_since_ms_ = -1;
  }
  return current_;
}

}  // namespace vitals::scorer
