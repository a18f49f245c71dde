#include "common/log/repeated_log.h"

#include <utility>
#include <vector>

namespace vitals::log {

RepeatedLog::RepeatedLog(Level level, std::string msg, absl::Duration period, Clock clock)
    : level_(level), msg_(std::move(msg)), period_(period), clock_(std::move(clock)) {}

void RepeatedLog::Report(std::initializer_list<Field> fields) {
  absl::MutexLock lock(&mu_);
  ++unwritten_;
  const absl::Time now = clock_();
  if (now - last_written_ < period_) return;
  std::vector<Field> line(fields.begin(), fields.end());
  line.emplace_back("occurrences", std::to_string(unwritten_));
  Write(level_, msg_, line);
  last_written_ = now;
  unwritten_ = 0;
}

}  // namespace vitals::log
