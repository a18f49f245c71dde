#pragma once

// Time as the gateway's intervals and the scorer's evaluations count it:
// epoch milliseconds, from one TimeSource that the Gateway and the Scorer
// are given and hand to every part (Envoy's TimeSource is the model). Parts
// that only stamp samples take the read side, a Clock; loops that wait for
// a boundary or a tick wait on the TimeSource, so that a test can run the
// whole pipeline on time of its own (ManualTimeSource) and step it.
//
// Deadlines of I/O (Kafka flushes, HTTP timeouts) stay on real time: they
// bound how long a thread blocks, not which interval data belongs to.

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vitals {

// Epoch milliseconds.
using Clock = std::function<int64_t()>;

inline int64_t WallClockMs() { return absl::ToUnixMillis(absl::Now()); }

// Set once to end the waits of a loop; thread-safe.
class StopSignal {
 public:
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  bool stopped() const ABSL_LOCKS_EXCLUDED(mu_);
  // Waits up to `timeout` of real time; true once stopped.
  bool WaitFor(absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  mutable absl::CondVar cv_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual int64_t NowMs() const = 0;
  // Blocks until NowMs() >= deadline_ms or `stop` is stopped; false when
  // stopped.
  virtual bool WaitUntil(int64_t deadline_ms, const StopSignal& stop) const = 0;
  // The read side, valid while this source lives.
  Clock clock() const {
    return [this] { return NowMs(); };
  }
};

// The wall clock.
class SystemTimeSource final : public TimeSource {
 public:
  int64_t NowMs() const override { return WallClockMs(); }
  bool WaitUntil(int64_t deadline_ms, const StopSignal& stop) const override;
  // One is enough for a process.
  static const SystemTimeSource& Get();
};

// Time that moves only when told to (tests). Waiters wake on Advance/Set.
class ManualTimeSource final : public TimeSource {
 public:
  explicit ManualTimeSource(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override ABSL_LOCKS_EXCLUDED(mu_);
  bool WaitUntil(int64_t deadline_ms, const StopSignal& stop) const override
      ABSL_LOCKS_EXCLUDED(mu_);
  void Advance(absl::Duration by) ABSL_LOCKS_EXCLUDED(mu_);
  void Set(int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  mutable absl::CondVar cv_;
  int64_t now_ms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals
