// The `vitals` binary's command line: help for every command, exit codes,
// and check-config naming every bad key by its path.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "test/integration/support/child_process.h"

namespace vitals {
namespace {

using ::testing::HasSubstr;

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
  for (const char* command : {"gateway", "scorer", "standalone", "simulate", "check-config"}) {
    CommandResult run = Vitals({command, "--help"});
    EXPECT_EQ(run.code, 0) << command << ": " << run.err;
    EXPECT_THAT(run.out, HasSubstr(std::string("Usage: vitals ") + command));
    EXPECT_THAT(run.out, HasSubstr("--help"));
  }
  CommandResult top = Vitals({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_THAT(top.out, HasSubstr("check-config"));
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
