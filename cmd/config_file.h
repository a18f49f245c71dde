#pragma once

// One config file serves every command: `gateway:`, `scorer:` and
// `standalone:` sections, each optional, plus `log_level`. A command reads
// the sections it runs; check-config validates all of them.

#include <string>

#include "absl/status/statusor.h"
#include "gateway/gateway_config.h"
#include "scorer/scorer_config.h"

namespace vitals::cmd {

struct StandaloneConfig {
  int64_t brokers = 1;
  int64_t metrics_partitions = 6;
};

struct VitalsConfig {
  std::string log_level = "info";
  gateway::GatewayConfig gateway;
  scorer::ScorerConfig scorer;
  StandaloneConfig standalone;
};

// An empty path gives the defaults. InvalidArgument lists every error with
// its key path (`gateway.kafka.topic: unknown key`).
absl::StatusOr<VitalsConfig> LoadConfig(const std::string& path);

}  // namespace vitals::cmd
