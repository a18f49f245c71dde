#include "common/kafka/rd_message.h"

#include <librdkafka/rdkafka.h>

namespace vitals::kafka::internal {

Message ToMessage(const rd_kafka_message_t& msg) {
  Message out;
  if (msg.rkt != nullptr) out.topic = rd_kafka_topic_name(msg.rkt);
  out.partition = msg.partition;
  out.offset = msg.offset;
  rd_kafka_timestamp_type_t ts_type;
  out.timestamp_ms = rd_kafka_message_timestamp(&msg, &ts_type);
  if (msg.key != nullptr) out.key.assign(static_cast<const char*>(msg.key), msg.key_len);
  if (msg.payload != nullptr) out.value.assign(static_cast<const char*>(msg.payload), msg.len);
  // The headers stay owned by the message; NOENT when it has none.
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(name, value == nullptr
                                         ? std::string()
                                         : std::string(static_cast<const char*>(value), size));
    }
  }
  return out;
}

rd_kafka_headers_t* ToRdHeaders(const Headers& headers) {
  if (headers.empty()) return nullptr;
  rd_kafka_headers_t* out = rd_kafka_headers_new(headers.size());
  for (const auto& [name, value] : headers) {
    rd_kafka_header_add(out, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  return out;
}

}  // namespace vitals::kafka::internal
