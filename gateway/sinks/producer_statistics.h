#pragma once

// The figures the gateway exports from librdkafka's statistics JSON
// (emitted every `statistics.interval.ms`): broker connections up and
// request retries. Only two fields are read, so a scan for their keys is
// enough; a JSON library would be a dependency for nothing.

#include <cstdint>
#include <string_view>

namespace vitals::gateway {

struct ProducerStatistics {
  // Broker entries whose state is UP; bootstrap entries count too, each is
  // a TCP connection of its own.
  int brokers_up = 0;
  // Produce requests librdkafka sent again (`txretries`, summed over the
  // brokers): the outage and throttling signal behind delivery latency.
  uint64_t retries = 0;
};

ProducerStatistics ParseProducerStatistics(std::string_view json);

}  // namespace vitals::gateway
