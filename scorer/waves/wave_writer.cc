#include "scorer/waves/wave_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace vitals::scorer {

WaveWriter::WaveWriter(kafka::Properties properties, std::string topic, absl::Duration timeout)
    : properties_(std::move(properties)), topic_(std::move(topic)), timeout_(timeout) {}

WaveWriter::~WaveWriter() { (void)Shutdown(absl::Now()); }

absl::Status WaveWriter::Start() {
  absl::MutexLock lock(&mu_);
  if (producer_) return absl::FailedPreconditionError("started once");
  // The callback runs inside Flush, on the writing thread, which holds mu_.
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer = kafka::KafkaProducer::Create(
      properties_, [this](const kafka::DeliveryReport& report) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        delivered_ = report.status;
        reported_ = true;
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  return absl::OkStatus();
}

absl::Status WaveWriter::Shutdown(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  if (!producer_) return absl::OkStatus();
  // Nothing is in flight between writes: each waits for its report.
  producer_.reset();
  return absl::OkStatus();
}

absl::Status WaveWriter::Write(const v1::Wave& wave) {
  absl::MutexLock lock(&mu_);
  if (!producer_) return absl::UnavailableError("wave writer not running");
  reported_ = false;
  delivered_ = absl::OkStatus();
  if (absl::Status s = producer_->Produce(topic_, wave.name(), wave.SerializeAsString(), 0);
      !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot write to ", topic_, ": ", s.message()));
  }
  (void)producer_->Flush(timeout_);
  if (!reported_) {
    return absl::UnavailableError(
        absl::StrCat("Kafka did not acknowledge the wave within ", absl::FormatDuration(timeout_)));
  }
  if (!delivered_.ok()) {
    return absl::UnavailableError(
        absl::StrCat("Kafka refused the wave on ", topic_, ": ", delivered_.message()));
  }
  return absl::OkStatus();
}

}  // namespace vitals::scorer
