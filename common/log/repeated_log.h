#pragma once

// A warning that fires once per record of a burst (each failed delivery
// while the brokers are down) would flood the log with thousands of equal
// lines. RepeatedLog writes the first occurrence at once and then at most
// one line per period, with the latest fields and `occurrences`: how many
// reports that line stands for. Exact counts belong in self-metrics; this
// keeps the log readable while they climb.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/log.h"

namespace vitals::log {

class RepeatedLog {
 public:
  using Clock = std::function<absl::Time()>;

  RepeatedLog(
      Level level, std::string msg, absl::Duration period = absl::Seconds(10),
      Clock clock = [] { return absl::Now(); });

  // Thread-safe: delivery callbacks report from librdkafka's threads.
  void Report(std::initializer_list<Field> fields) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const Level level_;
  const std::string msg_;
  const absl::Duration period_;
  const Clock clock_;

  absl::Mutex mu_;
  absl::Time last_written_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Reports since the last line, this one included.
  uint64_t unwritten_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vitals::log
