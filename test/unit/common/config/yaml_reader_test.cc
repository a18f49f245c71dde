#include "common/config/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vitals::config {
namespace {

using ::testing::HasSubstr;

TEST(YamlMapTest, ReadsTypedValuesAndKeepsDefaultsForAbsentKeys) {
  ConfigErrors errors;
  YamlMap map(YAML::Load("name: gw\nport: 9091\nratio: 0.5\non: true\nwait: 1500ms\n"), "gateway",
              &errors);
  std::string name;
  int64_t port = 0;
  double ratio = 0;
  bool on = false;
  absl::Duration wait;
  std::string absent = "default";
  map.Get("name", &name);
  map.Get("port", &port);
  map.Get("ratio", &ratio);
  map.Get("on", &on);
  map.Get("wait", &wait);
  map.Get("absent", &absent);
  map.RejectUnknownKeys();
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(name, "gw");
  EXPECT_EQ(port, 9091);
  EXPECT_DOUBLE_EQ(ratio, 0.5);
  EXPECT_TRUE(on);
  EXPECT_EQ(wait, absl::Milliseconds(1500));
  EXPECT_EQ(absent, "default");
}

TEST(YamlMapTest, UnknownKeysAreErrorsNamingTheirFullPath) {
  ConfigErrors errors;
  YamlMap root(YAML::Load("gateway:\n  kafka:\n    topicc: x\n  listen: ':1'\n"), "", &errors);
  YamlMap gateway = root.Child("gateway");
  std::string listen;
  gateway.Get("listen", &listen);
  YamlMap kafka = gateway.Child("kafka");
  std::string topic;
  kafka.Get("topic", &topic);
  kafka.RejectUnknownKeys();
  gateway.RejectUnknownKeys();
  root.RejectUnknownKeys();
  ASSERT_EQ(errors.errors().size(), 1u);
  EXPECT_EQ(errors.errors()[0], "gateway.kafka.topicc: unknown key");
}

TEST(YamlMapTest, TypeErrorsNameTheKey) {
  ConfigErrors errors;
  YamlMap map(YAML::Load("port: nine\nwait: soon\nlist: 3\n"), "x", &errors);
  int64_t port = 7;
  absl::Duration wait = absl::Seconds(1);
  std::vector<std::string> list;
  map.Get("port", &port);
  map.Get("wait", &wait);
  map.Get("list", &list);
  EXPECT_EQ(port, 7);
  EXPECT_EQ(wait, absl::Seconds(1));
  EXPECT_THAT(errors.ToStatus().message(), HasSubstr("x.port: expected an integer"));
  EXPECT_THAT(errors.ToStatus().message(), HasSubstr("x.wait: expected a duration"));
  EXPECT_THAT(errors.ToStatus().message(), HasSubstr("x.list: expected a list of strings"));
}

TEST(YamlMapTest, ListsOfMapsCarryTheirIndexInPaths) {
  ConfigErrors errors;
  YamlMap root(YAML::Load("dims:\n  - name: a\n  - nam: b\n"), "scorer", &errors);
  for (YamlMap& item : root.List("dims")) {
    std::string name;
    item.Get("name", &name);
    item.RejectUnknownKeys();
  }
  ASSERT_EQ(errors.errors().size(), 1u);
  EXPECT_EQ(errors.errors()[0], "scorer.dims[1].nam: unknown key");
}

TEST(YamlMapTest, NonMappingSectionIsAnError) {
  ConfigErrors errors;
  YamlMap root(YAML::Load("gateway: 3\n"), "", &errors);
  YamlMap gateway = root.Child("gateway");
  EXPECT_THAT(errors.ToStatus().message(), HasSubstr("gateway: expected a mapping"));
}

TEST(LoadYamlFileTest, SyntaxErrorsCarryLineAndColumn) {
  const std::string path = testing::TempDir() + "/bad.yaml";
  FILE* f = fopen(path.c_str(), "w");
  fputs("a: 1\nb: [unclosed\n", f);
  fclose(f);
  YAML::Node node;
  absl::Status s = LoadYamlFile(path, &node);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("bad.yaml:"));
  EXPECT_TRUE(absl::IsNotFound(LoadYamlFile(path + ".missing", &node)));
}

}  // namespace
}  // namespace vitals::config
