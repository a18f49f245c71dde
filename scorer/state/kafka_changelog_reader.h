#pragma once

// Reads the state topic with a consumer of its own that is in no group: it
// assigns itself exactly the partitions to restore, so the scorer's group
// consumer is neither rebalanced nor moved, and commits nothing. Not
// thread-safe: one read at a time.

#include <memory>

#include "absl/status/statusor.h"
#include "common/kafka/properties.h"
#include "scorer/state/changelog_source.h"

struct rd_kafka_s;

namespace vitals::scorer {

class KafkaChangelogReader : public ChangelogSource {
 public:
  // `properties` need bootstrap.servers; group.id and offset commits are
  // dropped.
  static absl::StatusOr<std::unique_ptr<KafkaChangelogReader>> Create(kafka::Properties properties);
  ~KafkaChangelogReader() override;

  // FailedPrecondition when the topic lacks one of the partitions (it must
  // have as many as the metrics topic; the others are read all the same),
  // NotFound when it does not exist.
  absl::Status ReadToEnd(const std::string& topic, const std::vector<int32_t>& partitions,
                         absl::Time deadline, const Visitor& visit) override;

 private:
  KafkaChangelogReader() = default;
  absl::StatusOr<int> PartitionCount(const std::string& topic, absl::Time deadline);

  rd_kafka_s* rk_ = nullptr;
};

}  // namespace vitals::scorer
