#include "common/kafka/topic_loop.h"

#include <utility>

namespace vitals::kafka {

TopicLoop::TopicLoop(Properties properties, TopicLoopOptions options, const TimeSource* time,
                     OnRecord on_record, OnPeriod on_period)
    : properties_(std::move(properties)),
      options_(std::move(options)),
      time_(time),
      on_record_(std::move(on_record)),
      on_period_(std::move(on_period)) {}

TopicLoop::~TopicLoop() { (void)Shutdown(absl::Now()); }

absl::Status TopicLoop::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("started once");
  absl::StatusOr<std::unique_ptr<TopicFollower>> follower =
      TopicFollower::Create(properties_, options_.follow);
  if (!follower.ok()) return follower.status();
  follower_ = std::move(*follower);
  next_period_ms_ = time_->NowMs() + absl::ToInt64Milliseconds(options_.period);
  loop_ = std::make_unique<LoopThread>(options_.name, time_, [this] { return Step(); });
  if (absl::Status s = loop_->Start(); !s.ok()) {
    follower_.reset();
    loop_.reset();
    return s;
  }
  started_ = true;
  return absl::OkStatus();
}

absl::Status TopicLoop::Shutdown(absl::Time deadline) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  if (!started_) return absl::OkStatus();
  absl::Status status = loop_->Shutdown(deadline);
  follower_->Close();
  return status;
}

int64_t TopicLoop::Step() {
  absl::Duration wait = options_.poll_timeout;
  for (int handed = 0; handed < options_.max_batch; ++handed) {
    absl::StatusOr<std::optional<Message>> record = follower_->Poll(wait);
    if (!record.ok()) {
      ++poll_errors_;
      poll_failed_.Report({{"component", options_.name},
                           {"topic", options_.follow.topic},
                           {"error", std::string(record.status().message())}});
      break;
    }
    if (!record->has_value()) break;
    on_record_(**record);
    // The rest of a burst without waiting.
    wait = absl::ZeroDuration();
  }
  caught_up_.store(follower_->caught_up());
  const int64_t now_ms = time_->NowMs();
  if (now_ms >= next_period_ms_) {
    if (on_period_) on_period_(now_ms);
    next_period_ms_ = now_ms + absl::ToInt64Milliseconds(options_.period);
  }
  return 0;  // the poll's timeout paces the loop
}

}  // namespace vitals::kafka
