#pragma once

// Turns one job's interval batch into Kafka messages no larger than the
// limit: a batch whose series do not fit one message is split into parts
// that carry the same header fields and `part`/`parts`, so the scorer can
// merge them back (the merge of parts equals the whole).

#include <string>
#include <vector>

#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct EncodedMessage {
  std::string key;    // the job's stable identity
  std::string value;  // serialized MetricBatch
};

// The key for a batch: job_name, qualified by tenant when there is one.
std::string BatchKey(const v1::MetricBatch& batch);

// A single series larger than `max_bytes` still gets a message of its own
// (the producer then refuses it and it is counted as failed).
std::vector<EncodedMessage> EncodeBatch(const v1::MetricBatch& batch, size_t max_bytes);

}  // namespace vitals::gateway
