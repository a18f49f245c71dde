// The `vitals` binary's command line: help for every command (naming only
// real config keys, with their real defaults), --version and
// vitals_build_info, exit codes, and check-config naming every bad key by
// its path.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/http/client.h"
#include "test/integration/support/child_process.h"

namespace vitals {
namespace {

using ::testing::HasSubstr;

constexpr const char* kCommands[] = {"gateway", "scorer", "standalone", "simulate", "check-config"};

struct CommandResult {
  int code = -1;
  std::string out;
  std::string err;
};

CommandResult Vitals(std::vector<std::string> args) {
  args.insert(args.begin(), testing::VitalsBinary());
  testing::ChildProcess child(args);
  CommandResult run;
  if (!child.Start()) return run;
  while (auto line = child.ReadLine(absl::Seconds(30))) run.out += *line + "\n";
  run.code = child.Terminate(absl::Seconds(30)).value_or(-1000);
  run.err = child.Stderr();
  return run;
}

std::string SourceDir() { return std::getenv("VITALS_SOURCE_DIR"); }

TEST(CliTest, EveryCommandExplainsItself) {
  for (const char* command : kCommands) {
    CommandResult run = Vitals({command, "--help"});
    EXPECT_EQ(run.code, 0) << command << ": " << run.err;
    EXPECT_THAT(run.out, HasSubstr(std::string("Usage: vitals ") + command));
    EXPECT_THAT(run.out, HasSubstr("--help"));
  }
  CommandResult top = Vitals({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_THAT(top.out, HasSubstr("check-config"));
}

// Every key `check-config --list-keys` declares, with its default as listed.
std::map<std::string, std::string> DeclaredKeys() {
  CommandResult run = Vitals({"check-config", "--list-keys"});
  EXPECT_EQ(run.code, 0) << run.err;
  std::map<std::string, std::string> keys;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string path, default_value;
    fields >> path >> default_value;
    if (!path.empty()) keys[path] = default_value;
  }
  return keys;
}

// A path names a declared key, a section holding keys, or an entry of a map
// key (`gateway.kafka.properties.bootstrap.servers`: a librdkafka property).
bool IsDeclared(const std::string& path, const std::map<std::string, std::string>& keys) {
  for (const auto& [key, default_value] : keys) {
    if (path == key || key.rfind(path + ".", 0) == 0) return true;
    if (default_value == "{}" && path.rfind(key + ".", 0) == 0) return true;
  }
  return false;
}

// gateway.…, scorer.… and standalone.… paths, but not a topic such as
// vitals.scorer.state or a flag such as --gateway-listen.
std::set<std::string> KeyPathsIn(const std::string& text) {
  static const std::regex kPath(R"((^|[^\w.-])((gateway|scorer|standalone)\.[a-z_][\w.\[\]]*))");
  std::set<std::string> paths;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPath);
       it != std::sregex_iterator(); ++it) {
    std::string path = (*it)[2];
    while (path.back() == '.') path.pop_back();  // the end of a sentence
    paths.insert(path);
  }
  return paths;
}

TEST(CliTest, HelpNamesOnlyDeclaredConfigKeys) {
  const std::map<std::string, std::string> keys = DeclaredKeys();
  ASSERT_GT(keys.size(), 100u);
  // check-config's help shows what a misspelled key looks like.
  const std::set<std::string> examples = {"gateway.kafka.topicc"};
  size_t named = 0;
  for (const char* command : kCommands) {
    CommandResult run = Vitals({command, "--help"});
    ASSERT_EQ(run.code, 0) << command << ": " << run.err;
    for (const std::string& path : KeyPathsIn(run.out)) {
      ++named;
      if (examples.count(path) != 0) continue;
      EXPECT_TRUE(IsDeclared(path, keys)) << "vitals " << command << " --help names " << path
                                          << ", which check-config --list-keys does not declare";
    }
  }
  EXPECT_GT(named, 10u) << "the scan found no key paths: is the pattern still right?";
}

// A flag that overrides a config key shows that key's default, as
// check-config --list-keys has it, and no help line says "(default" twice.
TEST(CliTest, HelpShowsTheDefaultsReallyUsed) {
  const std::map<std::string, std::string> keys = DeclaredKeys();
  static const std::regex kFromConfig(R"(\(default: ([\w.]+) from --config(, else ([^)]*))?\))");
  size_t from_config = 0;
  for (const char* command : kCommands) {
    CommandResult run = Vitals({command, "--help"});
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(line.find("(default"), line.rfind("(default")) << command << ": " << line;
      std::smatch m;
      if (!std::regex_search(line, m, kFromConfig)) continue;
      ++from_config;
      const auto key = keys.find(m[1]);
      if (key == keys.end()) continue;  // a map entry: HelpNamesOnlyDeclaredConfigKeys
      if (m[2].matched) {
        EXPECT_EQ(m[3], key->second) << command << ": " << line;
      }
    }
  }
  EXPECT_GT(from_config, 10u);

  CommandResult standalone = Vitals({"standalone", "--help"});
  EXPECT_THAT(standalone.out, HasSubstr("(default: gateway.aggregation.interval from --config, "
                                        "else " +
                                        keys.at("gateway.aggregation.interval") + ")"));
  EXPECT_THAT(standalone.out, HasSubstr("(default: standalone.brokers from --config, else " +
                                        keys.at("standalone.brokers") + ")"));
  EXPECT_THAT(standalone.out, HasSubstr("(default: true when stdout is a terminal)"));
  CommandResult gateway = Vitals({"gateway", "--help"});
  EXPECT_THAT(gateway.out, HasSubstr("gateway.pushgateway.group_ttl"));
}

TEST(CliTest, VersionNamesTheReleaseAndTheRevision) {
  CommandResult run = Vitals({"--version"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(std::regex_match(
      run.out, std::regex(R"(vitals \d+\.\d+\.\d+ \(([0-9a-f]{4,40}|unknown)\)\n)")))
      << run.out;
  CommandResult usage = Vitals({"--help"});
  EXPECT_THAT(usage.out, HasSubstr("--version"));
}

// Both /metrics carry vitals_build_info with what --version prints.
TEST(CliTest, BothMetricsEndpointsExportBuildInfo) {
  CommandResult version = Vitals({"--version"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(version.out, m, std::regex(R"(vitals (\S+) \((\S+)\))")))
      << version.out;
  const std::string labels_version = "version=\"" + m[1].str() + "\"";
  const std::string labels_revision = "revision=\"" + m[2].str() + "\"";

  // Nothing on fixed ports, so that parallel tests cannot collide.
  testing::ChildProcess child({testing::VitalsBinary(), "standalone", "--gateway-listen",
                               "127.0.0.1:0", "--scorer-listen", "127.0.0.1:0", "--statsd-listen",
                               "127.0.0.1:0", "--table=false"});
  ASSERT_TRUE(child.Start());
  const auto gateway = child.WaitForLine("gateway metrics", absl::Seconds(30));
  const auto scorer = child.WaitForLine("scorer metrics", absl::Seconds(5));
  ASSERT_TRUE(gateway && scorer) << child.Stderr();
  for (const std::string& url : {*gateway, *scorer}) {
    absl::StatusOr<http::ClientResponse> response = http::Fetch("GET", url);
    ASSERT_TRUE(response.ok()) << url << ": " << response.status();
    std::string line;
    std::istringstream lines(response->body);
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("vitals_build_info{", 0) == 0) line = l;
    }
    EXPECT_THAT(line, HasSubstr(labels_version)) << url;
    EXPECT_THAT(line, HasSubstr(labels_revision)) << url;
    EXPECT_THAT(line, ::testing::EndsWith("} 1")) << url;
  }
  EXPECT_EQ(child.Terminate(absl::Seconds(30)), 0) << child.Stderr();
}

TEST(CliTest, UnknownCommandsAndFlagsAreUsageErrors) {
  CommandResult run = Vitals({"gatewy"});
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown command"));
  run = Vitals({"gateway", "--lisen", ":1"});
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown flag --lisen"));
}

TEST(CliTest, CheckConfigAcceptsTheShippedConfig) {
  CommandResult run = Vitals({"check-config", SourceDir() + "/deploy/config/vitals.yaml"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("ok"));
}

TEST(CliTest, CheckConfigNamesEveryMisspelledKeyByPath) {
  CommandResult run = Vitals({"check-config", SourceDir() + "/test/data/configs/misspelled.yaml"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("gateway.kafka.topicc: unknown key"));
  EXPECT_THAT(run.err, HasSubstr("scorer.scoring.windoww: unknown key"));
  EXPECT_THAT(run.err, HasSubstr("linger.mss"));
}

TEST(CliTest, CheckConfigRefusesOutOfRangeValuesByPath) {
  CommandResult run =
      Vitals({"check-config", SourceDir() + "/test/data/configs/out_of_range.yaml"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("gateway.kafka.buffer_bytes: must be at least 65536"));
  EXPECT_THAT(run.err, HasSubstr("gateway.kafka.max_in_flight: must be between 1 and 1000000"));
  EXPECT_THAT(run.err, HasSubstr("scorer.scoring.not_reporting_after: must be longer than 0"));
}

TEST(CliTest, CheckConfigReportsMissingFilesAndSyntaxErrors) {
  CommandResult run = Vitals({"check-config", "/nonexistent/vitals.yaml"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("cannot open"));
}

TEST(CliTest, GatewayWithoutKafkaRefusesToStartWithAHint) {
  CommandResult run = Vitals({"gateway", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("bootstrap.servers"));
}

}  // namespace
}  // namespace vitals
