#pragma once

// Conversions between librdkafka's records and the Kafka layer's own, shared
// by the consumers (KafkaConsumer, TopicFollower) and the producer. Internal
// to common/kafka: the rest of the project does not see librdkafka's types.

#include "common/kafka/consumer.h"
#include "common/kafka/headers.h"

struct rd_kafka_message_s;
struct rd_kafka_headers_s;

namespace vitals::kafka::internal {

// Topic, partition, offset, timestamp, key, value and headers of a record
// that librdkafka delivered without an error.
Message ToMessage(const rd_kafka_message_s& msg);

// A librdkafka header list holding `headers`; null when there are none.
// The caller owns it until rd_kafka_producev accepts it.
rd_kafka_headers_s* ToRdHeaders(const Headers& headers);

}  // namespace vitals::kafka::internal
