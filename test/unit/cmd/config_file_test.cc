// Every declared config key, and only those, is named by the annotated
// deploy/config/vitals.yaml and by the key reference of
// docs/configuration.md; bad values of every section are refused by path.
//
// How vitals.yaml names a key: the key is present, uncommented, at its
// path; a free-form mapping (`kafka.properties`, `user_defined[].labels`)
// is one key whatever it holds; a list of mappings names its items' keys as
// `list[].key` through its entries. A key whose default is computed at run
// time (`gateway.node`) may instead be a commented line `# key: value` whose
// `#` sits at the key's indentation.
//
// How configuration.md names a key: a row `| \`path\` | \`default\` | … |`
// of a table whose header is `| key | default | meaning |`; the default
// must be the declared one, as `vitals check-config --list-keys` prints it.

#include "cmd/config_file.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "yaml-cpp/yaml.h"

namespace vitals::cmd {
namespace {

using ::testing::HasSubstr;

std::string ReadSource(const std::string& relative) {
  const char* root = std::getenv("VITALS_SOURCE_DIR");
  std::ifstream in(absl::StrCat(root == nullptr ? "." : root, "/", relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::map<std::string, config::KeyInfo> DeclaredKeys() {
  std::map<std::string, config::KeyInfo> keys;
  for (config::KeyInfo& key : ListConfigKeys()) keys[key.path] = key;
  return keys;
}

// A markdown row for each key, to paste where one is missing.
std::string Rows(const std::set<std::string>& paths,
                 const std::map<std::string, config::KeyInfo>& declared) {
  std::string rows;
  for (const std::string& path : paths) {
    const config::KeyInfo& key = declared.at(path);
    absl::StrAppend(&rows, "| `", path, "` | `", key.default_value, "` | ",
                    absl::StrReplaceAll(key.description, {{"|", "\\|"}}), " |\n");
  }
  return rows;
}

// The paths a YAML document names, leaves only: a declared key stops the
// descent (free-form mappings are one key).
void CollectPaths(const YAML::Node& node, const std::string& path,
                  const std::map<std::string, config::KeyInfo>& declared,
                  std::set<std::string>* out) {
  if (!path.empty() && declared.contains(path)) {
    out->insert(path);
    return;
  }
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      CollectPaths(kv.second, path.empty() ? key : absl::StrCat(path, ".", key), declared, out);
    }
  } else if (node.IsSequence() && node.size() > 0 && node[0].IsMap()) {
    for (const auto& item : node) CollectPaths(item, absl::StrCat(path, "[]"), declared, out);
  } else {
    out->insert(path);  // a leaf that is not declared
  }
}

std::set<std::string> Difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  for (const std::string& x : a) {
    if (!b.contains(x)) out.insert(x);
  }
  return out;
}

TEST(ConfigKeysTest, VitalsYamlNamesExactlyTheDeclaredKeys) {
  const std::map<std::string, config::KeyInfo> declared = DeclaredKeys();
  std::set<std::string> paths_declared;
  for (const auto& [path, key] : declared) paths_declared.insert(path);

  // A commented key line becomes a key line at the same indentation.
  static const std::regex kCommentedKey(R"(^(\s*)# ([a-z_]+:(\s|$)))");
  std::string text;
  for (absl::string_view line : absl::StrSplit(ReadSource("deploy/config/vitals.yaml"), '\n')) {
    absl::StrAppend(&text, std::regex_replace(std::string(line), kCommentedKey, "$1$2"), "\n");
  }
  std::set<std::string> named;
  CollectPaths(YAML::Load(text), "", declared, &named);

  const std::set<std::string> missing = Difference(paths_declared, named);
  EXPECT_TRUE(missing.empty()) << "declared keys deploy/config/vitals.yaml lacks:\n"
                               << absl::StrJoin(missing, "\n");
  const std::set<std::string> unknown = Difference(named, paths_declared);
  EXPECT_TRUE(unknown.empty()) << "keys deploy/config/vitals.yaml names that are not declared:\n"
                               << absl::StrJoin(unknown, "\n");
}

TEST(ConfigKeysTest, ConfigurationMdNamesExactlyTheDeclaredKeysWithTheirDefaults) {
  const std::map<std::string, config::KeyInfo> declared = DeclaredKeys();
  std::set<std::string> paths_declared;
  for (const auto& [path, key] : declared) paths_declared.insert(path);

  std::set<std::string> named;
  bool in_key_table = false;
  for (absl::string_view line : absl::StrSplit(ReadSource("docs/configuration.md"), '\n')) {
    if (!absl::StartsWith(line, "|")) {
      in_key_table = false;
      continue;
    }
    if (absl::StartsWith(line, "| key | default | meaning |")) {
      in_key_table = true;
      continue;
    }
    if (!in_key_table || absl::StartsWith(line, "| ---")) continue;
    const std::vector<std::string> cells = absl::StrSplit(line, " | ");
    ASSERT_GE(cells.size(), 3u) << line;
    absl::string_view path = absl::StripPrefix(cells[0], "| ");
    absl::string_view default_value = cells[1];
    if (!absl::ConsumePrefix(&path, "`") || !absl::ConsumeSuffix(&path, "`") ||
        !absl::ConsumePrefix(&default_value, "`") || !absl::ConsumeSuffix(&default_value, "`")) {
      ADD_FAILURE() << "key and default must be `quoted`: " << line;
      continue;
    }
    named.insert(std::string(path));
    if (auto it = declared.find(std::string(path)); it != declared.end()) {
      EXPECT_EQ(default_value, it->second.default_value) << "default of " << path;
    }
  }

  const std::set<std::string> missing = Difference(paths_declared, named);
  EXPECT_TRUE(missing.empty()) << "docs/configuration.md lacks rows for:\n"
                               << Rows(missing, declared);
  const std::set<std::string> unknown = Difference(named, paths_declared);
  EXPECT_TRUE(unknown.empty()) << "docs/configuration.md names keys that are not declared:\n"
                               << absl::StrJoin(unknown, "\n");
}

TEST(ConfigKeysTest, TheShippedConfigIsValid) {
  absl::StatusOr<VitalsConfig> config =
      ParseConfig(YAML::Load(ReadSource("deploy/config/vitals.yaml")), "vitals.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
}

TEST(ConfigKeysTest, ListsPathsWithDefaults) {
  const std::map<std::string, config::KeyInfo> declared = DeclaredKeys();
  ASSERT_TRUE(declared.contains("gateway.http.max_body_bytes"));
  EXPECT_EQ(declared.at("gateway.http.max_body_bytes").default_value, "16777216");
  EXPECT_EQ(declared.at("gateway.aggregation.interval").default_value, "10s");
  EXPECT_EQ(declared.at("gateway.kafka.properties").default_value, "{}");
  EXPECT_EQ(declared.at("scorer.scoring.user_defined[].name").default_value, "\"\"");
  EXPECT_THAT(declared.at("gateway.statsd.threads").description,
              HasSubstr("must be between 1 and 64"));
}

// Each case: a file with one bad value, and the error it must produce.
struct BadValue {
  std::string yaml;
  std::string error;
};

TEST(ConfigKeysTest, NegativeZeroAndOutOfRangeValuesAreRefusedWithTheirPath) {
  const BadValue cases[] = {
      {"log_level: verbose", "log_level: expected debug, info, warn or error"},
      // http (both sections share the declaration)
      {"gateway: {http: {max_inflight_requests: 0}}",
       "gateway.http.max_inflight_requests: must be between 1 and 1000000"},
      {"gateway: {http: {max_series_per_request: -3}}",
       "gateway.http.max_series_per_request: must be at least 1"},
      {"scorer: {http: {threads: 0}}", "scorer.http.threads: must be between 1 and 1024"},
      {"scorer: {http: {max_body_bytes: -1}}", "scorer.http.max_body_bytes: must be at least 1024"},
      {"gateway: {http: {retry_after: 0s}}", "gateway.http.retry_after: must be between 1s and 1h"},
      // kafka
      {"gateway: {kafka: {buffer_bytes: -1}}",
       "gateway.kafka.buffer_bytes: must be at least 65536"},
      {"gateway: {kafka: {max_in_flight: 0}}",
       "gateway.kafka.max_in_flight: must be between 1 and 1000000"},
      {"gateway: {kafka: {topic: ''}}", "gateway.kafka.topic: must not be empty"},
      {"scorer: {kafka: {group_id: ''}}", "scorer.kafka.group_id: must not be empty"},
      // aggregation
      {"gateway: {aggregation: {shards: 0}}",
       "gateway.aggregation.shards: must be between 1 and 4096"},
      {"gateway: {aggregation: {max_series: -5}}",
       "gateway.aggregation.max_series: must be at least 1"},
      {"gateway: {aggregation: {expire_after_intervals: -1}}",
       "gateway.aggregation.expire_after_intervals: must be at least 1"},
      {"gateway: {aggregation: {interval: 0s}}",
       "gateway.aggregation.interval: must be between 100ms and 1h"},
      // statsd
      {"gateway: {statsd: {threads: 0}}", "gateway.statsd.threads: must be between 1 and 64"},
      {"gateway: {statsd: {threads: 99999999999}}",
       "gateway.statsd.threads: must be between 1 and 64"},
      {"gateway: {statsd: {receive_buffer_bytes: -1}}",
       "gateway.statsd.receive_buffer_bytes: must be between 0 and 1073741824"},
      {"gateway: {statsd: {hold: 0s}}", "gateway.statsd.hold: must be between 1ms and 10s"},
      {"gateway: {statsd: {max_identifiers: -1}}",
       "gateway.statsd.max_identifiers: must be at least 1024"},
      {"gateway: {statsd: {listen: nowhere}}", "gateway.statsd.listen: expected host:port"},
      // influx
      {"gateway: {influx: {max_errors_listed: 0}}",
       "gateway.influx.max_errors_listed: must be between 1 and 1000"},
      {"gateway: {influx: {max_body_bytes: -1}}",
       "gateway.influx.max_body_bytes: must be at least 1024"},
      // scrape
      {"gateway: {scrape: {max_targets: 0}}",
       "gateway.scrape.max_targets: must be between 1 and 4096"},
      {"gateway: {scrape: {interval: 2h}}",
       "gateway.scrape.interval: must be between 100ms and 1h"},
      {"gateway: {scrape: {interval: 5s, timeout: 6s}}",
       "gateway.scrape.timeout: must not exceed scrape.interval"},
      // the gateway's and the scorer's own keys
      {"gateway: {shutdown_timeout: 0s}", "gateway.shutdown_timeout: must be longer than 0"},
      {"gateway: {listen: '9091'}", "gateway.listen: expected host:port"},
      {"gateway: {cluster: 'k8s prod'}",
       "gateway.cluster: must be a cluster name: 1 to 128 bytes of letters, digits, '_', '-' "
       "and '.'"},
      {"gateway: {cluster: ''}",
       "gateway.cluster: must be a cluster name: 1 to 128 bytes of letters, digits, '_', '-' "
       "and '.'"},
      {"scorer: {tick: 0s}", "scorer.tick: must be longer than 0"},
      {"scorer: {job_expiry: 0s}", "scorer.job_expiry: must be longer than 0"},
      // scoring
      {"scorer: {scoring: {min_intervals: 0}}", "scorer.scoring.min_intervals: must be at least 1"},
      {"scorer: {scoring: {history_points: -1}}",
       "scorer.scoring.history_points: must be at least 1"},
      // no narrowing: more than the field holds is refused too
      {"scorer: {scoring: {history_points: 5000000000}}",
       "scorer.scoring.history_points: must be at most 4294967295"},
      {"scorer: {scoring: {dimensions: {gc: {weight: -1}}}}",
       "scorer.scoring.dimensions.gc.weight: must be a number >= 0"},
      {"scorer: {scoring: {rollback: {critical_share: 0}}}",
       "scorer.scoring.rollback.critical_share: must be in (0, 1]"},
      {"scorer: {scoring: {user_defined: [{name: e, metric: m, good: 0, bad: 1, weight: -2}]}}",
       "scorer.scoring.user_defined[0].weight: must be a number >= 0"},
      // standalone
      {"standalone: {brokers: 0}", "standalone.brokers: must be between 1 and 9"},
      {"standalone: {metrics_partitions: -1}",
       "standalone.metrics_partitions: must be between 1 and 1000"},
  };
  for (const BadValue& c : cases) {
    absl::StatusOr<VitalsConfig> config = ParseConfig(YAML::Load(c.yaml), "test.yaml");
    ASSERT_FALSE(config.ok()) << c.yaml;
    const std::string message(config.status().message());
    EXPECT_THAT(message, HasSubstr(c.error)) << c.yaml;
    // One error: the value's own, not a second one from a derived check.
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  }
}

TEST(ConfigKeysTest, ValidateRunsTheDeclaredChecksOnConfigsBuiltInCode) {
  VitalsConfig c;
  c.gateway.node = "node-1";
  c.gateway.http.max_inflight_requests = 0;
  c.gateway.receivers.of<gateway::StatsdReceiver>().threads = 65;
  EXPECT_THAT(std::string(c.gateway.Validate().message()),
              HasSubstr("gateway.http.max_inflight_requests: must be between 1 and 1000000"));
  EXPECT_THAT(std::string(c.gateway.Validate().message()),
              HasSubstr("gateway.statsd.threads: must be between 1 and 64"));
  EXPECT_THAT(std::string(c.gateway.receivers.of<gateway::StatsdReceiver>().Validate().message()),
              HasSubstr("statsd.threads: must be between 1 and 64"));
  c.scorer.scoring.rollback.min_points = 0;
  EXPECT_THAT(std::string(c.scorer.Validate().message()),
              HasSubstr("scorer.scoring.rollback.min_points: must be at least 1"));
  EXPECT_TRUE(VitalsConfig().scorer.Validate().ok());
}

}  // namespace
}  // namespace vitals::cmd
