#pragma once

// One config file serves every command: `gateway:`, `scorer:` and
// `standalone:` sections, each optional, plus `log_level`. A command reads
// the sections it runs; check-config validates all of them.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/keys.h"
#include "gateway/gateway_config.h"
#include "scorer/scorer_config.h"
#include "yaml-cpp/yaml.h"

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

// Every key of a config file, from its root.
void DeclareVitalsKeys(config::Keys& keys, VitalsConfig& config);

// Every key of a config file by its full path, with its default.
std::vector<config::KeyInfo> ListConfigKeys();

// An empty path gives the defaults. InvalidArgument lists every error with
// its key path (`gateway.kafka.topic: unknown key`).
//
// Before the keys are read, `${VAR}` references in values are expanded from
// the environment, and in the Kafka property maps each `KEY_file: FILE`
// becomes `KEY: <FILE's content>`, relative FILEs taken from the config
// file's directory (rules: docs/configuration.md, "Environment variables
// and secret files"). Errors there are reported alone: the other checks
// would only repeat them on values that are not known.
absl::StatusOr<VitalsConfig> LoadConfig(const std::string& path);

// The same for a document already parsed; `source` names it in errors and
// `base_dir` anchors relative `_file` names (empty: the working directory).
absl::StatusOr<VitalsConfig> ParseConfig(const YAML::Node& root, std::string_view source,
                                         const std::string& base_dir = "");

}  // namespace vitals::cmd
