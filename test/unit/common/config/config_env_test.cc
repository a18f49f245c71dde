// ${VAR} expansion and *_file resolution in config values
// (common/config/yaml_reader.h): the rules docs/configuration.md states,
// and errors that name the key path and the variable or file, never a value.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "common/config/yaml_reader.h"

namespace vitals::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A fixed environment, so that tests do not depend on the one they run in.
const char* FakeEnv(const char* name) {
  static const std::map<std::string, std::string> env = {
      {"PASSWORD", "hunter2"}, {"EMPTY", ""}, {"DIR", "/run/secrets"}, {"A_1", "x"}};
  auto it = env.find(name);
  return it == env.end() ? nullptr : it->second.c_str();
}

std::string Expand(std::string_view text) {
  std::string out;
  absl::Status s = ExpandEnv(text, FakeEnv, &out);
  return s.ok() ? out : "ERROR: " + std::string(s.message());
}

TEST(ExpandEnvTest, SubstitutesDefaultsAndEscapes) {
  EXPECT_EQ(Expand("${PASSWORD}"), "hunter2");
  EXPECT_EQ(Expand("pre-${PASSWORD}-${A_1}-post"), "pre-hunter2-x-post");
  EXPECT_EQ(Expand("${DIR}/kafka"), "/run/secrets/kafka");
  EXPECT_EQ(Expand("${EMPTY}"), "");
  EXPECT_EQ(Expand("${UNSET:-fallback}"), "fallback");
  EXPECT_EQ(Expand("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(Expand("${PASSWORD:-fallback}"), "hunter2");
  EXPECT_EQ(Expand("${UNSET:-}"), "");
  EXPECT_EQ(Expand("${UNSET:-a:b/c $x}"), "a:b/c $x");
  // Escapes, and `$` that starts no reference.
  EXPECT_EQ(Expand("$${PASSWORD}"), "${PASSWORD}");
  EXPECT_EQ(Expand("$$${PASSWORD}"), "$${PASSWORD}");
  EXPECT_EQ(Expand("$2b$12$abc"), "$2b$12$abc");
  EXPECT_EQ(Expand("pa$$word$"), "pa$$word$");
  EXPECT_EQ(Expand("$PASSWORD"), "$PASSWORD");
  // A substituted value is not expanded again.
  EXPECT_EQ(Expand("${UNSET:-$${PASSWORD}}"), "$${PASSWORD}");
}

TEST(ExpandEnvTest, UnsetVariablesAndBadReferencesAreErrors) {
  EXPECT_EQ(Expand("${UNSET}"), "ERROR: environment variable UNSET is not set");
  EXPECT_THAT(Expand("${PASSWORD"), HasSubstr("bad variable reference"));
  EXPECT_THAT(Expand("${}"), HasSubstr("bad variable reference"));
  EXPECT_THAT(Expand("${1X}"), HasSubstr("bad variable reference"));
  EXPECT_THAT(Expand("${A-B}"), HasSubstr("bad variable reference"));
  // The text of a bad reference is not quoted back: it may be a secret.
  EXPECT_THAT(Expand("s3cr${t"), Not(HasSubstr("s3cr")));
}

TEST(ExpandEnvTest, ExpandsEveryValueInPlaceAndNamesThePathOfEachError) {
  YAML::Node root = YAML::Load(
      "gateway:\n"
      "  listen: ${UNSET:-127.0.0.1}:9091\n"
      "  ${PASSWORD}: key-stays\n"
      "  kafka:\n"
      "    properties:\n"
      "      sasl.password: ${PASSWORD}\n"
      "      sasl.username: ${NOBODY}\n"
      "  list: [a, '${A_1}', '${MISSING}']\n"
      "  threads: ${UNSET:-4}\n");
  ConfigErrors errors;
  ExpandEnvInValues(root, "", &errors, FakeEnv);
  EXPECT_EQ(root["gateway"]["listen"].as<std::string>(), "127.0.0.1:9091");
  EXPECT_EQ(root["gateway"]["${PASSWORD}"].as<std::string>(), "key-stays");
  EXPECT_EQ(root["gateway"]["kafka"]["properties"]["sasl.password"].as<std::string>(), "hunter2");
  EXPECT_EQ(root["gateway"]["list"][1].as<std::string>(), "x");
  EXPECT_EQ(root["gateway"]["threads"].as<int>(), 4);
  EXPECT_THAT(errors.errors(),
              ElementsAre("gateway.kafka.properties.sasl.username: environment variable NOBODY "
                          "is not set",
                          "gateway.list[2]: environment variable MISSING is not set"));
}

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vitals-secret-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << content;
    return dir_ + "/" + name;
  }
  std::string dir_;
};

TEST_F(SecretFileTest, ReadsContentWithoutItsTrailingNewline) {
  std::string value;
  ASSERT_TRUE(ReadSecretFile(Write("a", "hunter2\n"), "", &value).ok());
  EXPECT_EQ(value, "hunter2");
  ASSERT_TRUE(ReadSecretFile(Write("b", "hunter2\r\n"), "", &value).ok());
  EXPECT_EQ(value, "hunter2");
  // One newline only: the rest is the secret's.
  ASSERT_TRUE(ReadSecretFile(Write("c", " two lines\n\n"), "", &value).ok());
  EXPECT_EQ(value, " two lines\n");
  ASSERT_TRUE(ReadSecretFile(Write("d", ""), "", &value).ok());
  EXPECT_EQ(value, "");
  // Relative names are taken from the base directory.
  Write("e", "relative\n");
  ASSERT_TRUE(ReadSecretFile("e", dir_, &value).ok());
  EXPECT_EQ(value, "relative");
  ASSERT_TRUE(ReadSecretFile("e", dir_ + "/", &value).ok());
  EXPECT_EQ(value, "relative");
}

TEST_F(SecretFileTest, MissingUnreadableOrHugeFilesAreErrorsNamingTheFile) {
  std::string value;
  absl::Status s = ReadSecretFile(dir_ + "/absent", "", &value);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("cannot read " + dir_ + "/absent: No such file or directory"));
  s = ReadSecretFile(dir_, "", &value);
  EXPECT_THAT(std::string(s.message()), HasSubstr("Is a directory"));
  s = ReadSecretFile(Write("big", std::string((1 << 20) + 1, 'x')), "", &value);
  EXPECT_THAT(std::string(s.message()), HasSubstr("larger than 1048576 bytes"));
  s = ReadSecretFile("", "", &value);
  EXPECT_THAT(std::string(s.message()), HasSubstr("must name a file"));
}

TEST_F(SecretFileTest, FileKeysBecomeTheirPropertyAndConflictsAreErrors) {
  const std::string password = Write("password", "hunter2\n");
  YAML::Node map = YAML::Load(
      "sasl.username: vitals\n"
      "sasl.password_file: " +
      password +
      "\n"
      "ssl.key.password_file: key-pass\n"
      "acks: all\n"
      "acks_file: whatever\n"
      "debug_file: [a]\n"
      "client.id_file: absent\n"
      "_file: keeps\n");
  Write("key-pass", "k3y\n");
  ConfigErrors errors;
  const std::vector<std::string> values =
      ResolveFileKeys(map, "gateway.kafka.properties", dir_, &errors);
  EXPECT_THAT(values, ElementsAre("hunter2", "k3y"));
  EXPECT_EQ(map["sasl.password"].as<std::string>(), "hunter2");
  EXPECT_EQ(map["ssl.key.password"].as<std::string>(), "k3y");
  EXPECT_EQ(map["acks"].as<std::string>(), "all");
  EXPECT_EQ(map["_file"].as<std::string>(), "keeps");
  EXPECT_FALSE(map["sasl.password_file"].IsDefined());
  EXPECT_FALSE(map["client.id"].IsDefined());
  EXPECT_THAT(
      errors.errors(),
      ElementsAre("gateway.kafka.properties.acks_file: set either acks or acks_file, not both",
                  "gateway.kafka.properties.debug_file: expected a file name",
                  "gateway.kafka.properties.client.id_file: cannot read " + dir_ +
                      "/absent: No such file or directory"));
}

}  // namespace
}  // namespace vitals::config
