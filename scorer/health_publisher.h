#pragma once

// The producer of `flink.health`: one HealthReport per job and evaluation,
// keyed by the job, with this replica's API base URL in the header
// `vitals-scorer-url` (kScorerUrlHeader) once it is known, so that every
// replica's FleetView knows who owns the job. Delivery failures (a broker
// outage) are counted by the caller's counter and logged once per period;
// Shutdown waits for what is in flight until the deadline.

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/component/component.h"
#include "common/kafka/producer.h"
#include "common/kafka/properties.h"
#include "common/log/repeated_log.h"
#include "prometheus/counter.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

class HealthPublisher final : public Component {
 public:
  HealthPublisher(kafka::Properties properties, std::string topic, prometheus::Counter* published);
  ~HealthPublisher() override;

  std::string_view component_name() const override { return "health publisher"; }
  absl::Status Start() override;
  absl::Status Shutdown(absl::Time deadline) override;

  // After Start; never blocks on Kafka.
  void Publish(std::string_view key, const v1::HealthReport& report);
  // Serves delivery reports without waiting.
  void Poll();

  // This replica's advertised URL, carried by every report published from
  // now on (none while it is empty): known only once the HTTP server has
  // bound, after the publisher started. Thread-safe.
  void set_scorer_url(std::string url) ABSL_LOCKS_EXCLUDED(url_mu_);
  std::string scorer_url() const ABSL_LOCKS_EXCLUDED(url_mu_);

 private:
  const kafka::Properties properties_;
  const std::string topic_;
  prometheus::Counter* published_;
  mutable absl::Mutex url_mu_;
  // The headers of each report: the scorer URL, or none.
  kafka::Headers headers_ ABSL_GUARDED_BY(url_mu_);
  // Declared before the producer whose callback reports to them.
  log::RepeatedLog delivery_failed_{log::Level::kWarn, "health report delivery failed"};
  log::RepeatedLog publish_failed_{log::Level::kWarn, "cannot publish health report"};
  std::unique_ptr<kafka::KafkaProducer> producer_;
  bool shut_down_ = false;
};

}  // namespace vitals::scorer
