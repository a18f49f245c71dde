#include "gateway/interval_flusher.h"

#include <string>
#include <utility>

#include "common/log/log.h"

namespace vitals::gateway {

IntervalFlusher::IntervalFlusher(const TimeSource* time, absl::Duration interval, Flush flush)
    : time_(time), interval_ms_(absl::ToInt64Milliseconds(interval)), flush_(std::move(flush)) {}

absl::Status IntervalFlusher::Start() {
  if (loop_ || shut_down_) return absl::FailedPreconditionError("started once");
  if (interval_ms_ <= 0) return absl::InvalidArgumentError("interval must be positive");
  next_boundary_ms_ = (time_->NowMs() / interval_ms_ + 1) * interval_ms_;
  loop_ = std::make_unique<LoopThread>(
      "interval flusher", time_, [this] { return FlushDue(); }, next_boundary_ms_);
  return loop_->Start();
}

int64_t IntervalFlusher::FlushDue() {
  const int64_t now = time_->NowMs();
  if (now - next_boundary_ms_ > kMaxCatchUpIntervals * interval_ms_) {
    const int64_t skipped = (now - next_boundary_ms_) / interval_ms_;
    log::Warn("flush loop far behind the clock: skipping intervals",
              {{"intervals", std::to_string(skipped)}});
    next_boundary_ms_ += skipped * interval_ms_;
  }
  while (next_boundary_ms_ <= now && !loop_->stopping().stopped()) {
    flush_(next_boundary_ms_, /*final_flush=*/false);
    next_boundary_ms_ += interval_ms_;
  }
  return next_boundary_ms_;
}

absl::Status IntervalFlusher::Shutdown(absl::Time deadline) {
  if (!loop_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  (void)loop_->Shutdown(deadline);
  const int64_t boundary = (time_->NowMs() / interval_ms_ + 1) * interval_ms_;
  // Boundaries the loop had not reached yet, then the open interval.
  for (int64_t b = next_boundary_ms_;
       b < boundary && boundary - b <= kMaxCatchUpIntervals * interval_ms_; b += interval_ms_) {
    flush_(b, /*final_flush=*/false);
  }
  flush_(boundary, /*final_flush=*/true);
  return absl::OkStatus();
}

}  // namespace vitals::gateway
