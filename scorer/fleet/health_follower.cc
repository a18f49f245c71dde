#include "scorer/fleet/health_follower.h"

#include <utility>

#include "common/kafka/headers.h"

namespace vitals::scorer {

HealthFollower::HealthFollower(kafka::Properties properties, HealthFollowerOptions options,
                               FleetView* view, const TimeSource* time)
    : properties_(std::move(properties)), options_(std::move(options)), view_(view), time_(time) {}

HealthFollower::~HealthFollower() { (void)Shutdown(absl::Now()); }

absl::Status HealthFollower::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("started once");
  kafka::TopicFollower::Options options;
  options.topic = options_.topic;
  // Kafka stamps records on the wall clock, whatever time the scorer runs on.
  options.start_ms = absl::ToUnixMillis(absl::Now() - options_.lookback);
  options.metadata_refresh = options_.metadata_refresh;
  options.request_timeout = options_.request_timeout;
  absl::StatusOr<std::unique_ptr<kafka::TopicFollower>> follower =
      kafka::TopicFollower::Create(properties_, std::move(options));
  if (!follower.ok()) return follower.status();
  follower_ = std::move(*follower);
  next_expire_ms_ = time_->NowMs() + absl::ToInt64Milliseconds(options_.expire_every);
  loop_ = std::make_unique<LoopThread>("health follower", time_, [this] { return Step(); });
  if (absl::Status s = loop_->Start(); !s.ok()) {
    follower_.reset();
    loop_.reset();
    return s;
  }
  started_ = true;
  return absl::OkStatus();
}

absl::Status HealthFollower::Shutdown(absl::Time deadline) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  if (!started_) return absl::OkStatus();
  absl::Status status = loop_->Shutdown(deadline);
  follower_->Close();
  return status;
}

void HealthFollower::Apply(const kafka::Message& message) {
  const std::optional<std::string_view> url = kafka::FindHeader(message.headers, kScorerUrlHeader);
  view_->Apply(message.key, message.value, url.value_or(std::string_view()), message.timestamp_ms);
}

int64_t HealthFollower::Step() {
  absl::Duration wait = options_.poll_timeout;
  for (int applied = 0; applied < options_.max_batch; ++applied) {
    absl::StatusOr<std::optional<kafka::Message>> message = follower_->Poll(wait);
    if (!message.ok()) {
      ++poll_errors_;
      poll_failed_.Report(
          {{"topic", options_.topic}, {"error", std::string(message.status().message())}});
      break;
    }
    if (!message->has_value()) break;
    Apply(**message);
    // The rest of a burst without waiting.
    wait = absl::ZeroDuration();
  }
  const int64_t now_ms = time_->NowMs();
  if (now_ms >= next_expire_ms_) {
    view_->Expire(now_ms);
    next_expire_ms_ = now_ms + absl::ToInt64Milliseconds(options_.expire_every);
  }
  caught_up_.store(follower_->caught_up());
  return 0;  // the poll's timeout paces the loop
}

}  // namespace vitals::scorer
