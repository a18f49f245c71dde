#include "common/config/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vitals::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

enum class Color { kRed, kBlue };
constexpr std::pair<std::string_view, Color> kColors[] = {{"red", Color::kRed},
                                                          {"blue", Color::kBlue}};

struct Item {
  std::string name;
  double weight = 1;
};

struct Example {
  std::string listen = ":80";
  size_t limit = 100;
  absl::Duration wait = absl::Seconds(5);
  Color color = Color::kRed;
  struct {
    int64_t depth = 2;
  } inner;
  std::vector<Item> items;
};

void DeclareItem(Keys& k, Item& item) {
  k.Key("name", &item.name, "its name").Required().NonEmpty();
  k.Key("weight", &item.weight, "its weight").NonNegative();
}

void DeclareExample(Keys& k, Example& e) {
  k.Key("listen", &e.listen, "where").NonEmpty();
  k.Key("limit", &e.limit, "how many").Range(1, 1000);
  k.Key("wait", &e.wait, "how long").Positive();
  k.Enum("color", &e.color, kColors, "which");
  k.Section("inner", [&](Keys& inner) { inner.Key("depth", &e.inner.depth, "how deep").Min(1); });
  k.List("items", &e.items, DeclareItem);
  if (e.inner.depth > static_cast<int64_t>(e.limit))
    k.Error("inner.depth", "must not exceed limit");
}

Example ReadExample(const std::string& yaml, ConfigErrors* errors) {
  YAML::Node root = YAML::Load(yaml);
  YamlMap top(root, "", errors);
  YamlMap section = top.Child("example");
  Example e;
  Read(section, &e, DeclareExample);
  top.RejectUnknownKeys();
  return e;
}

TEST(KeysTest, ReadsDeclaredKeysAndKeepsDefaults) {
  ConfigErrors errors;
  Example e = ReadExample(
      "example: {limit: 7, color: blue, inner: {depth: 3}, items: [{name: a, weight: 2}]}",
      &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(e.listen, ":80");
  EXPECT_EQ(e.limit, 7u);
  EXPECT_EQ(e.wait, absl::Seconds(5));
  EXPECT_EQ(e.color, Color::kBlue);
  EXPECT_EQ(e.inner.depth, 3);
  ASSERT_EQ(e.items.size(), 1u);
  EXPECT_EQ(e.items[0].name, "a");
  EXPECT_DOUBLE_EQ(e.items[0].weight, 2);
}

TEST(KeysTest, ReadingNamesEveryErrorByPath) {
  ConfigErrors errors;
  ReadExample(
      "example:\n"
      "  limit: -1\n"
      "  wait: soon\n"
      "  color: green\n"
      "  inner: {depth: 0, deep: 1}\n"
      "  items: [{weight: -1}]\n"
      "  extra: 1\n",
      &errors);
  EXPECT_THAT(
      errors.errors(),
      ElementsAre("example.limit: must be between 1 and 1000",
                  "example.wait: expected a duration such as 10s, 500ms or 5m",
                  "example.color: expected red or blue", "example.inner.depth: must be at least 1",
                  "example.inner.deep: unknown key", "example.items[0].name: required",
                  "example.items[0].weight: must be a number >= 0", "example.extra: unknown key"));
}

TEST(KeysTest, AValueWiderThanItsFieldIsRefusedNotNarrowed) {
  Example e;
  ConfigErrors errors;
  YamlMap map(YAML::Load("limit: -5"), "x", &errors);
  Read(
      map, &e, +[](Keys& k, Example& e) { k.Key("limit", &e.limit, "unconstrained"); });
  EXPECT_THAT(errors.errors(), ElementsAre("x.limit: must not be negative"));
  EXPECT_EQ(e.limit, 100u);
}

TEST(KeysTest, CheckRunsTheSameChecksOnAStructBuiltInCode) {
  Example e;
  EXPECT_TRUE(Check("example", e, DeclareExample).ok());
  e.limit = 0;
  e.items.push_back({"", 1});
  const absl::Status status = Check("example", e, DeclareExample);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "example.limit: must be between 1 and 1000\n"
            "example.items[0].name: must not be empty\n"
            "example.inner.depth: must not exceed limit");
}

TEST(KeysTest, ChangedKeysNamesWhatDiffersByPathInDeclarationOrder) {
  Example before;
  Example after = before;
  EXPECT_TRUE(ChangedKeys("example", before, after, DeclareExample).empty());
  after.wait = absl::Seconds(6);
  after.inner.depth = 3;
  after.listen = ":81";
  EXPECT_THAT(ChangedKeys("example", before, after, DeclareExample),
              ElementsAre("example.listen", "example.wait", "example.inner.depth"));
}

TEST(KeysTest, ListsEveryKeyWithItsDefault) {
  std::vector<KeyInfo> keys = List("example", DeclareExample);
  std::vector<std::string> lines;
  for (const KeyInfo& key : keys) {
    lines.push_back(absl::StrCat(key.path, " = ", key.default_value, " : ", key.description));
  }
  EXPECT_THAT(lines, ElementsAre("example.listen = :80 : where; must not be empty",
                                 "example.limit = 100 : how many; must be between 1 and 1000",
                                 "example.wait = 5s : how long; must be longer than 0",
                                 "example.color = red : which; expected red or blue",
                                 "example.inner.depth = 2 : how deep; must be at least 1",
                                 "example.items[].name = \"\" : its name; required; "
                                 "must not be empty",
                                 "example.items[].weight = 1 : its weight; must be a number >= 0"));
}

}  // namespace
}  // namespace vitals::config
