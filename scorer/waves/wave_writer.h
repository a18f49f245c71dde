#pragma once

// Writes a wave to the compacted waves topic (key = its name) and waits
// for Kafka's acknowledgement: `POST /api/v1/waves` answers 201 only for a
// wave every replica will read, whichever of them is killed next. Writes
// are rare (one per batch of jobs), so they are serialized: one in flight.

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/component/component.h"
#include "common/kafka/producer.h"
#include "common/kafka/properties.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

class WaveWriter final : public Component {
 public:
  WaveWriter(kafka::Properties properties, std::string topic,
             absl::Duration timeout = absl::Seconds(10));
  ~WaveWriter() override;

  std::string_view component_name() const override { return "wave writer"; }
  absl::Status Start() override;
  absl::Status Shutdown(absl::Time deadline) override;

  // OK once Kafka acknowledged the record; Unavailable (with Kafka's
  // reason) when it refused it or did not answer within the timeout.
  absl::Status Write(const v1::Wave& wave) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const kafka::Properties properties_;
  const std::string topic_;
  const absl::Duration timeout_;
  absl::Mutex mu_;
  std::unique_ptr<kafka::KafkaProducer> producer_ ABSL_GUARDED_BY(mu_);
  // The delivery report of the write in flight.
  absl::Status delivered_ ABSL_GUARDED_BY(mu_);
  bool reported_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace vitals::scorer
