#include "common/base/clock.h"

#include <algorithm>

namespace vitals {

void StopSignal::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  cv_.SignalAll();
}

bool StopSignal::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

bool StopSignal::WaitFor(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + std::max(timeout, absl::ZeroDuration());
  while (!stopped_) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return stopped_;
}

bool SystemTimeSource::WaitUntil(int64_t deadline_ms, const StopSignal& stop) const {
  // The wait may end a little before the wall clock reaches the deadline
  // (millisecond rounding, a clock step): wait again for the rest.
  for (int64_t now = NowMs(); now < deadline_ms; now = NowMs()) {
    if (stop.WaitFor(absl::Milliseconds(deadline_ms - now))) return false;
  }
  return !stop.stopped();
}

const SystemTimeSource& SystemTimeSource::Get() {
  static const SystemTimeSource source;
  return source;
}

int64_t ManualTimeSource::NowMs() const {
  absl::MutexLock lock(&mu_);
  return now_ms_;
}

bool ManualTimeSource::WaitUntil(int64_t deadline_ms, const StopSignal& stop) const {
  // The stop signal has a lock of its own: look at it between short waits
  // on ours rather than holding both.
  absl::MutexLock lock(&mu_);
  while (now_ms_ < deadline_ms) {
    if (stop.stopped()) return false;
    cv_.WaitWithTimeout(&mu_, absl::Milliseconds(5));
  }
  return !stop.stopped();
}

void ManualTimeSource::Advance(absl::Duration by) {
  {
    absl::MutexLock lock(&mu_);
    now_ms_ += absl::ToInt64Milliseconds(by);
  }
  cv_.SignalAll();
}

void ManualTimeSource::Set(int64_t now_ms) {
  {
    absl::MutexLock lock(&mu_);
    now_ms_ = now_ms;
  }
  cv_.SignalAll();
}

}  // namespace vitals
