#include "scorer/fleet/health_follower.h"

#include <utility>

#include "common/kafka/headers.h"

namespace vitals::scorer {

HealthFollower::HealthFollower(kafka::Properties properties, HealthFollowerOptions options,
                               FleetView* view, const TimeSource* time)
    : properties_(std::move(properties)), options_(std::move(options)), view_(view), time_(time) {}

HealthFollower::~HealthFollower() { (void)Shutdown(absl::Now()); }

absl::Status HealthFollower::Start() {
  if (loop_ != nullptr || shut_down_) return absl::FailedPreconditionError("started once");
  kafka::TopicLoopOptions options;
  options.name = "health follower";
  options.follow.topic = options_.topic;
  // Kafka stamps records on the wall clock, whatever time the scorer runs on.
  options.follow.start_ms = absl::ToUnixMillis(absl::Now() - options_.lookback);
  options.follow.metadata_refresh = options_.metadata_refresh;
  options.follow.request_timeout = options_.request_timeout;
  options.poll_timeout = options_.poll_timeout;
  options.max_batch = options_.max_batch;
  options.period = options_.expire_every;
  loop_ = std::make_unique<kafka::TopicLoop>(
      properties_, std::move(options), time_,
      [this](const kafka::Message& record) { Apply(record); },
      [this](int64_t now_ms) { view_->Expire(now_ms); });
  return loop_->Start();
}

absl::Status HealthFollower::Shutdown(absl::Time deadline) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  return loop_ != nullptr ? loop_->Shutdown(deadline) : absl::OkStatus();
}

void HealthFollower::Apply(const kafka::Message& message) {
  const std::optional<std::string_view> url = kafka::FindHeader(message.headers, kScorerUrlHeader);
  view_->Apply(message.key, message.value, url.value_or(std::string_view()), message.timestamp_ms);
}

}  // namespace vitals::scorer
