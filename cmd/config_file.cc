#include "cmd/config_file.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/config/yaml_reader.h"
#include "common/kafka/properties.h"
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

namespace {

absl::Status WithSource(std::string_view source, const config::ConfigErrors& errors) {
  return absl::InvalidArgumentError(
      absl::StrCat(AsAbsl(source), ":\n", errors.ToStatus().message()));
}

// `node[key]`, or an undefined node. Const, because a non-const operator[]
// adds the key; and a missing key must not escape as yaml-cpp's invalid
// node, on which IsMap() and reset() throw.
YAML::Node Lookup(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node found = node[key];
  return found.IsDefined() ? found : YAML::Node(YAML::NodeType::Undefined);
}

// Where secrets live: the librdkafka property maps, the only values that
// hold credentials. Other free-form maps (`user_defined[].labels`) may have
// keys ending in `_file` that mean nothing of the kind.
void ResolveSecretFiles(const YAML::Node& root, const std::string& base_dir,
                        config::ConfigErrors* errors) {
  if (!root.IsMap()) return;
  for (const char* section : {"gateway", "scorer"}) {
    const YAML::Node properties = Lookup(Lookup(Lookup(root, section), "kafka"), "properties");
    if (!properties.IsDefined() || !properties.IsMap()) continue;
    for (const std::string& value : config::ResolveFileKeys(
             properties, absl::StrCat(section, ".kafka.properties"), base_dir, errors)) {
      // Whatever the property, a value kept in a file is kept from view.
      kafka::RegisterSecret(value);
    }
  }
}

}  // namespace

absl::StatusOr<VitalsConfig> ParseConfig(const YAML::Node& root, std::string_view source,
                                         const std::string& base_dir) {
  config::ConfigErrors errors;
  YAML::Node document = YAML::Clone(root);  // the caller's document stays as written
  config::ExpandEnvInValues(document, "", &errors, std::getenv);
  ResolveSecretFiles(document, base_dir, &errors);
  if (!errors.empty()) return WithSource(source, errors);

  config::YamlMap top(document, "", &errors);
  VitalsConfig c;
  config::Read(top, &c, DeclareVitalsKeys);
  if (!errors.empty()) return WithSource(source, errors);
  return c;
}

absl::StatusOr<VitalsConfig> LoadConfig(const std::string& path) {
  YAML::Node root;
  if (!path.empty()) {
    if (absl::Status s = config::LoadYamlFile(path, &root); !s.ok()) return s;
  }
  const size_t slash = path.rfind('/');
  const std::string base_dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  return ParseConfig(root, path.empty() ? "defaults" : path, base_dir);
}

}  // namespace vitals::cmd
