#include "scorer/state/job_state_store.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace vitals::scorer {

JobStateStore::JobStateStore(JobStateStoreOptions options, StateWriter::Snapshot snapshot,
                             Clock clock, KafkaStateSink::DeliveryCallback on_delivery)
    : options_(std::move(options)),
      snapshot_(std::move(snapshot)),
      clock_(std::move(clock)),
      on_delivery_(std::move(on_delivery)) {}

JobStateStore::~JobStateStore() { (void)Shutdown(absl::Now()); }

absl::Status JobStateStore::Start() {
  if (sink_ || shut_down_) return absl::FailedPreconditionError("started once");
  absl::StatusOr<std::unique_ptr<KafkaStateSink>> sink =
      KafkaStateSink::Create(options_.producer_properties, options_.topic, on_delivery_);
  if (!sink.ok()) return sink.status();
  absl::StatusOr<std::unique_ptr<KafkaChangelogReader>> reader =
      KafkaChangelogReader::Create(options_.reader_properties);
  if (!reader.ok()) return reader.status();
  sink_ = std::move(*sink);
  reader_ = std::move(*reader);
  restorer_ =
      std::make_unique<StateRestorer>(reader_.get(), options_.topic, options_.restore_timeout);
  writer_ =
      std::make_unique<StateWriter>(sink_.get(), options_.publish_interval, snapshot_, clock_,
                                    StateWriterLimits{.max_record_bytes = sink_->max_record_bytes(),
                                                      .metrics = options_.metrics});
  return absl::OkStatus();
}

absl::Status JobStateStore::Shutdown(absl::Time deadline) {
  if (!sink_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  writer_->PublishAllChanged();
  return sink_->Flush(std::max(deadline - absl::Now(), absl::ZeroDuration()));
}

}  // namespace vitals::scorer
