#include "scorer/health_publisher.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "scorer/fleet/fleet_view.h"

namespace vitals::scorer {

HealthPublisher::HealthPublisher(kafka::Properties properties, std::string topic,
                                 prometheus::Counter* published)
    : properties_(std::move(properties)), topic_(std::move(topic)), published_(published) {}

HealthPublisher::~HealthPublisher() { (void)Shutdown(absl::Now()); }

absl::Status HealthPublisher::Start() {
  if (producer_ || shut_down_) return absl::FailedPreconditionError("started once");
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer =
      kafka::KafkaProducer::Create(properties_, [this](const kafka::DeliveryReport& report) {
        if (!report.status.ok()) {
          delivery_failed_.Report({{"error", std::string(report.status.message())}});
        }
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  return absl::OkStatus();
}

void HealthPublisher::set_scorer_url(std::string url) {
  absl::MutexLock lock(&url_mu_);
  headers_.clear();
  if (!url.empty()) headers_.emplace_back(std::string(kScorerUrlHeader), std::move(url));
}

std::string HealthPublisher::scorer_url() const {
  absl::MutexLock lock(&url_mu_);
  return headers_.empty() ? std::string() : headers_.front().second;
}

void HealthPublisher::Publish(std::string_view key, const v1::HealthReport& report) {
  kafka::Headers headers;
  {
    absl::MutexLock lock(&url_mu_);
    headers = headers_;
  }
  absl::Status s = producer_->Produce(topic_, key, report.SerializeAsString(), 0, headers);
  if (s.ok()) {
    published_->Increment();
  } else {
    publish_failed_.Report({{"error", std::string(s.message())}});
  }
}

void HealthPublisher::Poll() { producer_->Poll(absl::ZeroDuration()); }

absl::Status HealthPublisher::Shutdown(absl::Time deadline) {
  if (!producer_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  return producer_->Flush(std::max(deadline - absl::Now(), absl::ZeroDuration()));
}

}  // namespace vitals::scorer
