#include "scorer/waves/wave_follower.h"

#include <utility>

#include "common/log/log.h"

namespace vitals::scorer {

WaveFollower::WaveFollower(kafka::Properties properties, WaveFollowerOptions options,
                           WaveBook* book, const TimeSource* time, OnWave on_wave,
                           OnPeriod on_period)
    : properties_(std::move(properties)),
      options_(std::move(options)),
      book_(book),
      time_(time),
      on_wave_(std::move(on_wave)),
      on_period_(std::move(on_period)) {}

WaveFollower::~WaveFollower() { (void)Shutdown(absl::Now()); }

absl::Status WaveFollower::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("started once");
  kafka::TopicFollower::Options options;
  options.topic = options_.topic;
  // Every wave ever recorded: a wave is watched long after it was cut.
  options.start_ms = 0;
  options.metadata_refresh = options_.metadata_refresh;
  options.request_timeout = options_.request_timeout;
  absl::StatusOr<std::unique_ptr<kafka::TopicFollower>> follower =
      kafka::TopicFollower::Create(properties_, std::move(options));
  if (!follower.ok()) return follower.status();
  follower_ = std::move(*follower);
  next_period_ms_ = time_->NowMs() + absl::ToInt64Milliseconds(options_.period);
  loop_ = std::make_unique<LoopThread>("wave follower", time_, [this] { return Step(); });
  if (absl::Status s = loop_->Start(); !s.ok()) {
    follower_.reset();
    loop_.reset();
    return s;
  }
  started_ = true;
  return absl::OkStatus();
}

absl::Status WaveFollower::Shutdown(absl::Time deadline) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  if (!started_) return absl::OkStatus();
  absl::Status status = loop_->Shutdown(deadline);
  follower_->Close();
  return status;
}

int64_t WaveFollower::Step() {
  absl::Duration wait = options_.poll_timeout;
  // Waves are few: a burst is read whole, each one applied as it comes.
  for (;;) {
    absl::StatusOr<std::optional<kafka::Message>> message = follower_->Poll(wait);
    if (!message.ok()) {
      poll_failed_.Report(
          {{"topic", options_.topic}, {"error", std::string(message.status().message())}});
      break;
    }
    if (!message->has_value()) break;
    const kafka::Message& m = **message;
    switch (book_->Apply(m.key, m.value)) {
      case WaveBook::Outcome::kAdded:
      case WaveBook::Outcome::kReplaced:
        if (on_wave_) {
          if (std::optional<v1::Wave> wave = book_->Get(m.key)) on_wave_(*wave);
        }
        break;
      case WaveBook::Outcome::kMalformed:
        ++malformed_;
        log::Warn("skipped a record of the waves topic that is not a wave",
                  {{"topic", options_.topic}, {"key", m.key}});
        break;
      default:
        break;
    }
    wait = absl::ZeroDuration();
  }
  caught_up_.store(follower_->caught_up());
  const int64_t now_ms = time_->NowMs();
  if (now_ms >= next_period_ms_) {
    if (on_period_) on_period_();
    next_period_ms_ = now_ms + absl::ToInt64Milliseconds(options_.period);
  }
  return 0;  // the poll's timeout paces the loop
}

}  // namespace vitals::scorer
