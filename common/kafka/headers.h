#pragma once

// Kafka record headers: name/value pairs beside the key and value, in the
// order they were written. A name may repeat; the last one counts
// (librdkafka's rd_kafka_header_get_last). They let a record carry small
// facts about its sender (which scorer replica published a HealthReport)
// without a change to the value's schema.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitals::kafka {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The value of the last header called `name`; nullopt when there is none. A
// header written without a value reads as "".
inline std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == name) return std::string_view(it->second);
  }
  return std::nullopt;
}

}  // namespace vitals::kafka
