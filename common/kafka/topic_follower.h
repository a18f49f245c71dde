#pragma once

// Follows every partition of one topic with a consumer of its own that is in
// no group: it joins none, is never rebalanced, commits nothing, and reads
// what every other reader of the topic reads. Each replica uses one to see
// the whole fleet's records (flink.health), not only its own partitions'.
//
// Where it starts: the partitions the first metadata answer lists start at
// the first record at or after `start_ms` (Kafka's offsets-for-times lookup);
// a partition with no such record starts at its end. Partitions that appear
// later (the topic created, or partitions added, after that answer) start at
// their beginning: all they hold is newer. Start offsets are resolved to
// concrete numbers when assigned, so a record produced after Refresh() has
// returned OK for its partition is always read.
//
// The partition list is re-read every `metadata_refresh` inside Poll(). Not
// thread-safe: one thread polls, refreshes and closes.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/consumer.h"
#include "common/kafka/properties.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace vitals::kafka {

class TopicFollower {
 public:
  struct Options {
    std::string topic;
    // Epoch ms of the first records wanted (e.g. now − lookback).
    int64_t start_ms = 0;
    // How often the topic's partition list is re-read.
    absl::Duration metadata_refresh = absl::Seconds(30);
    // After a failed refresh, how soon it is tried again.
    absl::Duration retry_backoff = absl::Seconds(2);
    // Bounds each metadata and offset request of a refresh.
    absl::Duration request_timeout = absl::Seconds(10);
  };

  // `properties` need bootstrap.servers; group.id, offset commits and topic
  // auto-creation are overridden. No broker is contacted yet.
  static absl::StatusOr<std::unique_ptr<TopicFollower>> Create(Properties properties,
                                                               Options options);
  ~TopicFollower();
  TopicFollower(const TopicFollower&) = delete;
  TopicFollower& operator=(const TopicFollower&) = delete;

  // The next record of any partition; nullopt when none came within
  // `timeout`. Refreshes the partition list first when that is due, which
  // may take up to `request_timeout` more. Unavailable when that refresh
  // failed (retried after `retry_backoff`) or librdkafka reports a consumer
  // error (a partition gone, a broker refusing); the caller logs and polls
  // on. FailedPrecondition once closed.
  absl::StatusOr<std::optional<Message>> Poll(absl::Duration timeout);

  // Reads the partition list now and assigns the partitions not yet
  // assigned (and unassigns those gone). OK when the topic does not exist:
  // it has no partitions yet. Unavailable when the brokers do not answer in
  // `request_timeout`; a partition whose offsets could not be resolved is
  // left for the next refresh.
  absl::Status Refresh();

  // The partitions being read, ascending.
  std::vector<int32_t> partitions() const;
  // True once a refresh succeeded and every partition assigned so far has
  // been read up to where it ended when it was assigned: what the topic
  // held from `start_ms` on has been returned.
  bool caught_up() const { return answered_ && catching_up_.empty(); }

  // Stops reading; Poll answers FailedPrecondition afterwards. Safe twice.
  void Close();

 private:
  explicit TopicFollower(Options options) : options_(std::move(options)) {}
  // The partition ids of the topic; empty when it does not exist.
  absl::StatusOr<std::set<int32_t>> ReadPartitions();
  // Resolves `query` (one entry per partition, offset = a timestamp or a
  // logical offset) to offsets in place.
  absl::Status OffsetsFor(std::map<int32_t, int64_t>& query);
  void NoteRead(int32_t partition, int64_t offset);

  const Options options_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_topic_s* rkt_ = nullptr;
  bool closed_ = false;
  // Whether some refresh has read the partition list, and the partitions
  // that first answer listed: they alone start at `start_ms`.
  bool answered_ = false;
  std::set<int32_t> first_listed_;
  std::set<int32_t> assigned_;
  // Partition -> its end offset when assigned, until read that far.
  std::map<int32_t, int64_t> catching_up_;
  absl::Time next_refresh_ = absl::InfinitePast();
};

}  // namespace vitals::kafka
