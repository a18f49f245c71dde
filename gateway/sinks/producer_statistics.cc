#include "gateway/sinks/producer_statistics.h"

#include <cctype>

namespace vitals::gateway {

ProducerStatistics ParseProducerStatistics(std::string_view json) {
  ProducerStatistics stats;
  constexpr std::string_view kUp = "\"state\":\"UP\"";
  for (size_t at = json.find(kUp); at != std::string_view::npos; at = json.find(kUp, at + 1)) {
    ++stats.brokers_up;
  }
  constexpr std::string_view kRetries = "\"txretries\":";
  for (size_t at = json.find(kRetries); at != std::string_view::npos;
       at = json.find(kRetries, at + 1)) {
    uint64_t value = 0;
    for (size_t i = at + kRetries.size();
         i < json.size() && std::isdigit(static_cast<unsigned char>(json[i])); ++i) {
      value = value * 10 + static_cast<uint64_t>(json[i] - '0');
    }
    stats.retries += value;
  }
  return stats;
}

}  // namespace vitals::gateway
