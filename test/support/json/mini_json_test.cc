#include "test/support/json/mini_json.h"

#include <string>

#include "gtest/gtest.h"

namespace vitals::testing {
namespace {

TEST(MiniJsonTest, ObjectsKeepMemberOrderAndFindTheFirst) {
  absl::StatusOr<Json> json =
      Json::Parse(R"({"b": {"z": 1, "a": [true, false, null]}, "a": "x", "b": 2})");
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_EQ(json->members.size(), 3u);
  EXPECT_EQ(json->members[0].name, "b");
  EXPECT_EQ(json->members[1].name, "a");
  const Json* b = json->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->kind, Json::Kind::kObject);
  EXPECT_EQ(b->members[0].name, "z");
  const Json* list = b->Find("a");
  ASSERT_NE(list, nullptr);
  ASSERT_EQ(list->items.size(), 3u);
  EXPECT_TRUE(list->items[0].boolean);
  EXPECT_EQ(list->items[1].kind, Json::Kind::kBool);
  EXPECT_FALSE(list->items[1].boolean);
  EXPECT_EQ(list->items[2].kind, Json::Kind::kNull);
  EXPECT_EQ(json->StringOr("a"), "x");
  EXPECT_EQ(json->StringOr("b", "none"), "none");  // not a string
  EXPECT_EQ(json->StringOr("c", "none"), "none");
  EXPECT_EQ(json->Find("c"), nullptr);
  EXPECT_EQ(list->Find("a"), nullptr);  // not an object
}

TEST(MiniJsonTest, NumbersAsWrittenAndAsDouble) {
  absl::StatusOr<Json> json = Json::Parse("[9223372036854775807, -1.5e3, 0]");
  ASSERT_TRUE(json.ok()) << json.status();
  // Above 2^53: exact only as text.
  EXPECT_EQ(json->items[0].text, "9223372036854775807");
  EXPECT_EQ(json->items[0].kind, Json::Kind::kNumber);
  EXPECT_EQ(json->items[1].text, "-1.5e3");
  EXPECT_EQ(json->items[1].number, -1500);
  EXPECT_EQ(json->items[2].number, 0);
}

TEST(MiniJsonTest, EscapesAndSurrogatePairs) {
  absl::StatusOr<Json> json = Json::Parse(R"("a\"\\\/\b\f\n\r\t\u00e9\u20ac\ud83d\ude00")");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->kind, Json::Kind::kString);
  EXPECT_EQ(json->text, "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(MiniJsonTest, BadInputIsAnErrorNamingWhatAndWhere) {
  const struct {
    std::string text;
    std::string says;
  } cases[] = {
      {"{} x", "trailing characters"},
      {R"("\ud83d")", "lone high surrogate"},
      {R"("\ude00")", "lone low surrogate"},
      {R"("\ud83d\u0041")", "bad low surrogate"},
      {R"("abc)", "unterminated string"},
      {R"("\q")", "bad escape"},
      {"[1, 2", "unterminated array"},
      {R"({"a" 1})", "expected ':'"},
      {"[1.2.3]", "bad number"},
      {"tru", "bad literal"},
      {"", "unexpected end"},
      {std::string(100, '[') + std::string(100, ']'), "nesting too deep"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<Json> json = Json::Parse(c.text);
    ASSERT_FALSE(json.ok()) << c.text;
    EXPECT_NE(json.status().message().find(c.says), std::string::npos)
        << c.text << ": " << json.status();
    EXPECT_NE(json.status().message().find("at offset"), std::string::npos);
  }
}

TEST(MiniJsonTest, ReadJsonFileNamesAMissingFile) {
  absl::StatusOr<Json> json = ReadJsonFile("/nonexistent/file.json");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("/nonexistent/file.json"), std::string::npos);
}

}  // namespace
}  // namespace vitals::testing
