#include "scorer/waves/wave_follower.h"

#include <utility>

#include "common/log/log.h"

namespace vitals::scorer {
namespace {

kafka::TopicLoopOptions LoopOptions(const WaveFollowerOptions& o) {
  kafka::TopicLoopOptions options;
  options.name = "wave follower";
  options.follow.topic = o.topic;
  // Every wave ever recorded: a wave is watched long after it was cut.
  options.follow.start_ms = 0;
  options.follow.metadata_refresh = o.metadata_refresh;
  options.follow.request_timeout = o.request_timeout;
  options.poll_timeout = o.poll_timeout;
  options.period = o.period;
  return options;
}

}  // namespace

WaveFollower::WaveFollower(kafka::Properties properties, WaveFollowerOptions options,
                           WaveBook* book, const TimeSource* time, OnWave on_wave,
                           OnPeriod on_period)
    : book_(book),
      on_wave_(std::move(on_wave)),
      loop_(
          std::move(properties), LoopOptions(options), time,
          [this](const kafka::Message& record) { Apply(record); },
          [on_period = std::move(on_period)](int64_t) {
            if (on_period) on_period();
          }) {}

void WaveFollower::Apply(const kafka::Message& record) {
  switch (book_->Apply(record.key, record.value)) {
    case WaveBook::Outcome::kAdded:
    case WaveBook::Outcome::kReplaced:
      if (on_wave_) {
        if (std::optional<v1::Wave> wave = book_->Get(record.key)) on_wave_(*wave);
      }
      break;
    case WaveBook::Outcome::kMalformed:
      ++malformed_;
      log::Warn("skipped a record of the waves topic that is not a wave", {{"key", record.key}});
      break;
    default:
      break;
  }
}

}  // namespace vitals::scorer
