#include "cmd/config_file.h"

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/config/yaml_reader.h"
#include "common/log/log.h"

namespace vitals::cmd {

void DeclareVitalsKeys(config::Keys& k, VitalsConfig& c) {
  k.Key("log_level", &c.log_level, "the least severe log line written")
      .Check("expected debug, info, warn or error", [](const std::string& name) {
        log::Level level;
        return log::ParseLevel(name, &level);
      });
  k.Section("gateway", &c.gateway, gateway::DeclareGatewayKeys);
  k.Section("scorer", &c.scorer, scorer::DeclareScorerKeys);
  k.Section("standalone", [&](config::Keys& standalone) {
    standalone.Key("brokers", &c.standalone.brokers, "embedded Kafka brokers").Range(1, 9);
    standalone
        .Key("metrics_partitions", &c.standalone.metrics_partitions,
             "partitions of each topic the embedded Kafka creates")
        .Range(1, 1000);
  });
}

std::vector<config::KeyInfo> ListConfigKeys() { return config::List("", DeclareVitalsKeys); }

absl::StatusOr<VitalsConfig> ParseConfig(const YAML::Node& root, std::string_view source) {
  config::ConfigErrors errors;
  config::YamlMap top(root, "", &errors);
  VitalsConfig c;
  config::Read(top, &c, DeclareVitalsKeys);
  if (!errors.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(source), ":\n", errors.ToStatus().message()));
  }
  return c;
}

absl::StatusOr<VitalsConfig> LoadConfig(const std::string& path) {
  YAML::Node root;
  if (!path.empty()) {
    if (absl::Status s = config::LoadYamlFile(path, &root); !s.ok()) return s;
  }
  return ParseConfig(root, path.empty() ? "defaults" : path);
}

}  // namespace vitals::cmd
