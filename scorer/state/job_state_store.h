#pragma once

// A replica's job state as one component: the state topic's producer, the
// reader and restorer for newly assigned partitions, and the coalescing
// writer. It starts before the consumer (whose first assignment already
// restores state) and stops after it (whose leaving hands every job's state
// over); its own Shutdown writes what changed since and waits for Kafka.
// Records are bounded by the state producer's message.max.bytes.

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/component/component.h"
#include "common/kafka/properties.h"
#include "prometheus/registry.h"
#include "scorer/state/kafka_changelog_reader.h"
#include "scorer/state/kafka_state_sink.h"
#include "scorer/state/state_restorer.h"
#include "scorer/state/state_writer.h"

namespace vitals::scorer {

struct JobStateStoreOptions {
  kafka::Properties producer_properties;
  kafka::Properties reader_properties;
  std::string topic;
  absl::Duration restore_timeout = absl::Seconds(30);
  absl::Duration publish_interval = absl::Seconds(30);
  // Where the writer's metrics are registered; null: not exported.
  prometheus::Registry* metrics = nullptr;
};

class JobStateStore final : public Component {
 public:
  JobStateStore(JobStateStoreOptions options, StateWriter::Snapshot snapshot, Clock clock,
                KafkaStateSink::DeliveryCallback on_delivery);
  ~JobStateStore() override;

  std::string_view component_name() const override { return "job state store"; }
  absl::Status Start() override;
  absl::Status Shutdown(absl::Time deadline) override;

  // After Start.
  StateWriter& writer() { return *writer_; }
  StateRestorer& restorer() { return *restorer_; }
  KafkaStateSink& sink() { return *sink_; }

 private:
  const JobStateStoreOptions options_;
  StateWriter::Snapshot snapshot_;
  Clock clock_;
  KafkaStateSink::DeliveryCallback on_delivery_;
  std::unique_ptr<KafkaStateSink> sink_;
  std::unique_ptr<KafkaChangelogReader> reader_;
  std::unique_ptr<StateRestorer> restorer_;
  std::unique_ptr<StateWriter> writer_;
  bool shut_down_ = false;
};

}  // namespace vitals::scorer
