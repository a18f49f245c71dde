#include "gateway/receivers/pushgateway/family_blocks.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;

// The lines of `body` as [start, end) ranges, without their newlines.
std::vector<std::pair<size_t, size_t>> Lines(std::string_view body) {
  std::vector<std::pair<size_t, size_t>> lines;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    lines.emplace_back(start, end);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> Families(const FamilyBlocks& blocks) {
  std::vector<std::string> names;
  for (const FamilyBlock block : blocks) names.emplace_back(block.family);
  return names;
}

TEST(FamilyBlocksTest, LinesAreGroupedByFamilyInBodyOrderAndFamiliesSortedByName) {
  // Prometheus' text format lets a family's lines be apart; a block keeps
  // them in the order they came.
  const std::string body = "b_gauge 1\na_counter_total 2\nb_gauge{x=\"2\"} 3\n";
  const auto lines = Lines(body);
  FamilyBlocks::Builder builder(body, TextFormat::kPrometheus004);
  builder.AddLine("b_gauge", SampleType::kGauge, lines[0].first, lines[0].second);
  builder.AddLine("a_counter", SampleType::kCounter, lines[1].first, lines[1].second);
  builder.AddLine("b_gauge", SampleType::kGauge, lines[2].first, lines[2].second);
  const FamilyBlocks blocks = std::move(builder).Build();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_THAT(Families(blocks), ElementsAre("a_counter", "b_gauge"));
  EXPECT_EQ(blocks.at(0).text, "# TYPE a_counter counter\na_counter_total 2\n");
  EXPECT_EQ(blocks.at(1).text, "# TYPE b_gauge gauge\nb_gauge 1\nb_gauge{x=\"2\"} 3\n");
  EXPECT_EQ(blocks.at(1).format, TextFormat::kPrometheus004);
}

TEST(FamilyBlocksTest, AnUntypedOpenMetricsFamilyIsWrittenUnknown) {
  const std::string body = "x 1\n";
  FamilyBlocks::Builder builder(body, TextFormat::kOpenMetrics100);
  builder.AddLine("x", SampleType::kUntyped, 0, 3);
  const FamilyBlocks blocks = std::move(builder).Build();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks.at(0).text, "# TYPE x unknown\nx 1\n");
  EXPECT_EQ(blocks.at(0).format, TextFormat::kOpenMetrics100);
}

FamilyBlocks Build(std::string_view body, TextFormat format,
                   const std::vector<std::pair<std::string, SampleType>>& line_families) {
  const auto lines = Lines(body);
  FamilyBlocks::Builder builder(body, format);
  for (size_t i = 0; i < lines.size(); ++i) {
    builder.AddLine(line_families[i].first, line_families[i].second, lines[i].first,
                    lines[i].second);
  }
  return std::move(builder).Build();
}

TEST(FamilyBlocksTest, MergeKeepsOlderFamiliesTheNewerDoesNotCarryAndTakesTheNewerOnes) {
  const FamilyBlocks older =
      Build("a 1\nb 2\nd 4\n", TextFormat::kPrometheus004,
            {{"a", SampleType::kGauge}, {"b", SampleType::kGauge}, {"d", SampleType::kGauge}});
  const FamilyBlocks newer = Build("b 20\nc 30\n", TextFormat::kOpenMetrics100,
                                   {{"b", SampleType::kCounter}, {"c", SampleType::kGauge}});
  const FamilyBlocks merged = FamilyBlocks::Merge(older, newer);
  EXPECT_THAT(Families(merged), ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(merged.at(0).text, "# TYPE a gauge\na 1\n");
  EXPECT_EQ(merged.at(1).text, "# TYPE b counter\nb 20\n");
  EXPECT_EQ(merged.at(1).format, TextFormat::kOpenMetrics100);
  EXPECT_EQ(merged.at(2).text, "# TYPE c gauge\nc 30\n");
  EXPECT_EQ(merged.at(3).text, "# TYPE d gauge\nd 4\n");
  EXPECT_EQ(merged.at(3).format, TextFormat::kPrometheus004);
  // Merging into nothing (a group's first POST) is the newer blocks.
  EXPECT_THAT(Families(FamilyBlocks::Merge(FamilyBlocks(), newer)), ElementsAre("b", "c"));
}

TEST(FamilyBlocksTest, AnEmptyBodyHasNoBlocks) {
  FamilyBlocks::Builder builder("", TextFormat::kPrometheus004);
  const FamilyBlocks blocks = std::move(builder).Build();
  EXPECT_TRUE(blocks.empty());
  EXPECT_EQ(blocks.begin(), blocks.end());
}

}  // namespace
}  // namespace vitals::gateway
