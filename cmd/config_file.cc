#include "cmd/config_file.h"

#include "absl/strings/str_cat.h"
#include "common/config/yaml_reader.h"
#include "common/log/log.h"

namespace vitals::cmd {

absl::StatusOr<VitalsConfig> LoadConfig(const std::string& path) {
  YAML::Node root;
  if (!path.empty()) {
    if (absl::Status s = config::LoadYamlFile(path, &root); !s.ok()) return s;
  }
  config::ConfigErrors errors;
  config::YamlMap top(root, "", &errors);
  VitalsConfig c;
  top.Get("log_level", &c.log_level);
  log::Level level;
  if (!log::ParseLevel(c.log_level, &level)) {
    top.Error("log_level", "expected debug, info, warn or error");
  }
  config::YamlMap gateway = top.Child("gateway");
  c.gateway = gateway::ParseGatewayConfig(gateway);
  config::YamlMap scorer = top.Child("scorer");
  c.scorer = scorer::ParseScorerConfig(scorer);
  {
    config::YamlMap standalone = top.Child("standalone");
    standalone.Get("brokers", &c.standalone.brokers);
    standalone.Get("metrics_partitions", &c.standalone.metrics_partitions);
    if (c.standalone.brokers < 1 || c.standalone.brokers > 9) {
      standalone.Error("brokers", "must be between 1 and 9");
    }
    if (c.standalone.metrics_partitions < 1) {
      standalone.Error("metrics_partitions", "must be at least 1");
    }
    standalone.RejectUnknownKeys();
  }
  top.RejectUnknownKeys();
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.empty() ? "defaults" : path, ":\n", errors.ToStatus().message()));
  }
  return c;
}

}  // namespace vitals::cmd
