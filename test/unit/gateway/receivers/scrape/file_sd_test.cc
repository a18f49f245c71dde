// file_sd files as Prometheus reads them, JSON and YAML, good and bad, and
// the `scrape:` config section.

#include "gateway/receivers/scrape/file_sd.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "gateway/receivers/scrape/scrape_options.h"
#include "yaml-cpp/yaml.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const FileSdDefaults kDefaults{absl::Seconds(10), absl::Seconds(5)};

constexpr char kJson[] = R"([
  {
    "targets": ["10.0.0.7:9249", "10.0.0.8:9249"],
    "labels": {"job_name": "orders", "pod": "tm-1", "__meta_kubernetes_pod_name": "x"}
  },
  {
    "targets": ["[::1]:9250"],
    "labels": {
      "__metrics_path__": "/flink/metrics",
      "__scrape_interval__": "30s",
      "__scrape_timeout__": "2s",
      "cluster": "k8s-eu"
    }
  },
  {"targets": []},
  {"labels": {"a": "b"}}
])";

constexpr char kYaml[] = R"(# the same, as YAML
- targets: [10.0.0.7:9249, "10.0.0.8:9249"]
  labels:
    job_name: orders
    pod: tm-1
    __meta_kubernetes_pod_name: x
- targets:
    - "[::1]:9250"
  labels:
    __metrics_path__: /flink/metrics
    __scrape_interval__: 30s
    __scrape_timeout__: 2s
    cluster: k8s-eu
- targets: []
- labels: {a: b}
)";

void ExpectTheExampleGroups(const std::vector<TargetGroup>& groups, const std::string& file) {
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].origin, file + ": [0]");
  ASSERT_EQ(groups[0].targets.size(), 2u);
  const ScrapeTarget& a = groups[0].targets[0];
  EXPECT_EQ(a.address, "10.0.0.7:9249");
  EXPECT_EQ(a.host, "10.0.0.7");
  EXPECT_EQ(a.port, 9249);
  EXPECT_EQ(a.scheme, "http");
  EXPECT_EQ(a.metrics_path, "/metrics");
  EXPECT_EQ(a.interval, absl::Seconds(10));
  EXPECT_EQ(a.timeout, absl::Seconds(5));
  EXPECT_TRUE(a.error.ok());
  EXPECT_EQ(a.Name(), "10.0.0.7:9249");
  // Meta-labels dropped, the rest sorted.
  EXPECT_THAT(a.labels, ElementsAre(Pair("job_name", "orders"), Pair("pod", "tm-1")));
  EXPECT_EQ(groups[0].targets[1].address, "10.0.0.8:9249");

  ASSERT_EQ(groups[1].targets.size(), 1u);
  const ScrapeTarget& b = groups[1].targets[0];
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 9250);
  EXPECT_EQ(b.metrics_path, "/flink/metrics");
  EXPECT_EQ(b.interval, absl::Seconds(30));
  EXPECT_EQ(b.timeout, absl::Seconds(2));
  EXPECT_EQ(b.Name(), "[::1]:9250/flink/metrics");
  EXPECT_THAT(b.labels, ElementsAre(Pair("cluster", "k8s-eu")));

  EXPECT_TRUE(groups[2].targets.empty());
  EXPECT_TRUE(groups[3].targets.empty());
}

TEST(FileSdTest, ParsesJson) {
  auto groups = ParseFileSd("/sd/flink.json", kJson, kDefaults);
  ASSERT_TRUE(groups.ok()) << groups.status();
  ExpectTheExampleGroups(*groups, "/sd/flink.json");
}

TEST(FileSdTest, ParsesYamlLikeJson) {
  for (const char* file : {"/sd/flink.yml", "/sd/flink.yaml"}) {
    auto groups = ParseFileSd(file, kYaml, kDefaults);
    ASSERT_TRUE(groups.ok()) << groups.status();
    ExpectTheExampleGroups(*groups, file);
  }
}

TEST(FileSdTest, EmptyListIsNoTargets) {
  auto groups = ParseFileSd("a.json", "[]\n", kDefaults);
  ASSERT_TRUE(groups.ok()) << groups.status();
  EXPECT_TRUE(groups->empty());
}

TEST(FileSdTest, HttpsTargetsAreKeptWithAnError) {
  auto groups = ParseFileSd("a.json",
                            R"([{"targets": ["h:9249"], "labels": {"__scheme__": "https"}},
          {"targets": ["g:9249"], "labels": {"__scheme__": "http"}}])",
                            kDefaults);
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 2u);
  const ScrapeTarget& https = (*groups)[0].targets.at(0);
  EXPECT_FALSE(https.error.ok());
  EXPECT_THAT(https.error.message(), HasSubstr("a.json: [0]"));
  EXPECT_THAT(https.error.message(), HasSubstr("https is not supported"));
  EXPECT_TRUE((*groups)[1].targets.at(0).error.ok());
}

TEST(FileSdTest, AGroupThatOnlyShortensTheIntervalGetsTheTimeoutCutToIt) {
  auto groups =
      ParseFileSd("a.yml", "- targets: ['h:1']\n  labels: {__scrape_interval__: 2s}\n", kDefaults);
  ASSERT_TRUE(groups.ok()) << groups.status();
  const ScrapeTarget& t = (*groups)[0].targets.at(0);
  EXPECT_EQ(t.interval, absl::Seconds(2));
  EXPECT_EQ(t.timeout, absl::Seconds(2));
}

TEST(FileSdTest, UnknownKeysAreErrorsInYamlButIgnoredInJsonAsInPrometheus) {
  auto yaml = ParseFileSd("a.yaml", "- targets: ['h:1']\n  lables: {a: b}\n", kDefaults);
  ASSERT_FALSE(yaml.ok());
  EXPECT_THAT(yaml.status().message(), HasSubstr("a.yaml: [0].lables: unknown key"));
  auto json = ParseFileSd("a.json", R"([{"targets": ["h:1"], "comment": "x"}])", kDefaults);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)[0].targets.size(), 1u);
}

struct BadCase {
  const char* file;
  const char* text;
  const char* message;  // expected in the error, after the file name
};

TEST(FileSdTest, BadFilesNameTheFileAndTheEntry) {
  const BadCase cases[] = {
      {"a.json", "[{\"targets\": [\"h:1\"]", "a.json: line "},
      {"a.yml", "- targets: [h:1\n", "a.yml: line "},
      {"a.json", "{\"targets\": [\"h:1\"]}", "a.json: expected a list of target groups"},
      {"a.json", "[\"h:1\"]", "a.json: [0]: expected a mapping"},
      {"a.json", "[{}, {\"targets\": \"h:1\"}]", "a.json: [1].targets: expected a list"},
      {"a.json", "[{\"targets\": [\"h:1\", \"http://h:1\"]}]",
       "a.json: [0].targets[1]: \"http://h:1\": expected host:port"},
      {"a.json", "[{\"targets\": [\"h\"]}]", "a.json: [0].targets[0]: \"h\": expected host:port"},
      {"a.json", "[{\"targets\": [\"h:0\"]}]", "[0].targets[0]: \"h:0\""},
      {"a.json", "[{\"targets\": [\"h:99999\"]}]", "[0].targets[0]"},
      {"a.json", "[{\"targets\": [\"h:1/metrics\"]}]", "[0].targets[0]"},
      {"a.json", "[{\"targets\": [\"::1:9249\"]}]", "[0].targets[0]"},
      {"a.json", "[{\"targets\": [[\"h:1\"]]}]", "[0].targets[0]: expected a host:port string"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"1a\": \"x\"}}]",
       "a.json: [0].labels.1a: not a valid label name"},
      {"a.json", "[{\"targets\": [], \"labels\": [\"a\"]}]",
       "a.json: [0].labels: expected a mapping"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"a\": {\"b\": \"c\"}}}]",
       "a.json: [0].labels.a: expected a string"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"__scrape_interval__\": \"often\"}}]",
       "a.json: [0].labels.__scrape_interval__: \"often\": expected a positive duration"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"__scrape_timeout__\": \"-1s\"}}]",
       "a.json: [0].labels.__scrape_timeout__"},
      {"a.json",
       "[{\"targets\": [], \"labels\": {\"__scrape_interval__\": \"5s\", "
       "\"__scrape_timeout__\": \"6s\"}}]",
       "a.json: [0].labels.__scrape_timeout__: 6s exceeds the interval 5s"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"__scheme__\": \"ftp\"}}]",
       "a.json: [0].labels.__scheme__: \"ftp\": expected http"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"__metrics_path__\": \"metrics\"}}]",
       "a.json: [0].labels.__metrics_path__: \"metrics\": expected a path"},
      // `cluster` is the samples' cluster: a cluster name, as a pushed one.
      {"a.json", "[{\"targets\": [], \"labels\": {\"cluster\": \"k8s prod\"}}]",
       "a.json: [0].labels.cluster: \"k8s prod\": a cluster name has only letters"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"cluster\": \"k8s:prod\"}}]",
       "a.json: [0].labels.cluster: \"k8s:prod\": a cluster name has only letters"},
      {"a.json", "[{\"targets\": [], \"labels\": {\"cluster\": \"\"}}]",
       "a.json: [0].labels.cluster: \"\": empty"},
      {"a.json", "", "a.json: empty file"},
      {"a.yaml", "  \n\n", "a.yaml: empty file"},
      {"a.txt", "[]", "a.txt: unsupported extension"},
  };
  for (const BadCase& c : cases) {
    auto groups = ParseFileSd(c.file, c.text, kDefaults);
    ASSERT_FALSE(groups.ok()) << c.text;
    EXPECT_TRUE(absl::IsInvalidArgument(groups.status())) << groups.status();
    EXPECT_THAT(groups.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(FileSdTest, AClusterLabelIsAClusterNameOfAtMost128Bytes) {
  auto file = [](const std::string& cluster) {
    return "- targets: [h:1]\n  labels: {cluster: " + cluster + "}\n";
  };
  auto longest = ParseFileSd("a.yml", file("k8s-prod-eu.a_" + std::string(114, 'x')), kDefaults);
  ASSERT_TRUE(longest.ok()) << longest.status();
  EXPECT_EQ(longest->at(0).targets.at(0).labels.at(0).second.size(), 128u);
  auto too_long = ParseFileSd("a.yml", file(std::string(129, 'k')), kDefaults);
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("a.yml: [0].labels.cluster: \"kkkk"));
  EXPECT_THAT(too_long.status().message(), HasSubstr("longer than 128 bytes"));
}

TEST(FileSdTest, ReadFileSdReadsAndReportsMissingFiles) {
  const std::string path = ::testing::TempDir() + "/file_sd_test_read.json";
  {
    std::ofstream out(path);
    out << R"([{"targets": ["127.0.0.1:9249"]}])";
  }
  auto groups = ReadFileSd(path, kDefaults);
  ASSERT_TRUE(groups.ok()) << groups.status();
  EXPECT_EQ(groups->at(0).targets.at(0).port, 9249);
  auto missing = ReadFileSd(path + ".gone.json", kDefaults);
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr(".gone.json"));
}

ScrapeOptions ParseOptions(const std::string& yaml, config::ConfigErrors* errors) {
  YAML::Node node = YAML::Load(yaml);
  config::YamlMap map(node, "gateway.scrape", errors);
  return ParseScrapeOptions(map);
}

TEST(ScrapeOptionsTest, DefaultsAreValidAndDisabled) {
  ScrapeOptions o;
  EXPECT_FALSE(o.enabled);
  EXPECT_EQ(o.interval, absl::Seconds(10));
  EXPECT_EQ(o.timeout, absl::Seconds(5));
  EXPECT_EQ(o.refresh_interval, absl::Seconds(5));
  EXPECT_TRUE(o.Validate().ok());
}

TEST(ScrapeOptionsTest, ParsesEveryKey) {
  config::ConfigErrors errors;
  ScrapeOptions o = ParseOptions(
      "enabled: true\n"
      "files: [/etc/vitals/sd/*.json, /etc/vitals/sd/extra.yml]\n"
      "interval: 15s\n"
      "timeout: 3s\n"
      "refresh_interval: 1s\n"
      "max_body_bytes: 1048576\n"
      "max_targets: 32\n",
      &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_TRUE(o.enabled);
  EXPECT_THAT(o.files, ElementsAre("/etc/vitals/sd/*.json", "/etc/vitals/sd/extra.yml"));
  EXPECT_EQ(o.interval, absl::Seconds(15));
  EXPECT_EQ(o.timeout, absl::Seconds(3));
  EXPECT_EQ(o.refresh_interval, absl::Seconds(1));
  EXPECT_EQ(o.max_body_bytes, 1 << 20);
  EXPECT_EQ(o.max_targets, 32);
}

TEST(ScrapeOptionsTest, ErrorsNameTheirKeyPath) {
  config::ConfigErrors errors;
  ParseOptions("enabled: true\nfiles: [a.json]\nintervall: 5s\n", &errors);
  ASSERT_EQ(errors.errors().size(), 1u);
  EXPECT_THAT(errors.errors()[0], HasSubstr("gateway.scrape.intervall: unknown key"));

  config::ConfigErrors timeout;
  ParseOptions("enabled: true\nfiles: [a.json]\ninterval: 5s\ntimeout: 6s\n", &timeout);
  ASSERT_EQ(timeout.errors().size(), 1u);
  EXPECT_THAT(timeout.errors()[0], HasSubstr("scrape.timeout: must not exceed scrape.interval"));

  config::ConfigErrors no_files;
  ParseOptions("enabled: true\n", &no_files);
  ASSERT_EQ(no_files.errors().size(), 1u);
  EXPECT_THAT(no_files.errors()[0], HasSubstr("scrape.files"));

  config::ConfigErrors types;
  ParseOptions("files: a.json\ninterval: often\n", &types);
  ASSERT_EQ(types.errors().size(), 2u);
  EXPECT_THAT(types.errors()[0], HasSubstr("gateway.scrape.files: expected a list of strings"));
  EXPECT_THAT(types.errors()[1], HasSubstr("gateway.scrape.interval: expected a duration"));

  ScrapeOptions big;
  big.max_body_bytes = 64 << 20;
  EXPECT_THAT(big.Validate().message(), HasSubstr("scrape.max_body_bytes"));
}

}  // namespace
}  // namespace vitals::gateway
