#include "gateway/receivers/pushgateway/family_blocks.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

std::string Text(const FamilyBlocks& blocks, size_t i) {
  std::string text;
  blocks.at(i, &text);
  return text;
}

TextFormat Format(const FamilyBlocks& blocks, size_t i) {
  std::string text;
  return blocks.at(i, &text).format;
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
  EXPECT_EQ(Text(blocks, 0), "# TYPE a_counter counter\na_counter_total 2\n");
  EXPECT_EQ(Text(blocks, 1), "# TYPE b_gauge gauge\nb_gauge 1\nb_gauge{x=\"2\"} 3\n");
  EXPECT_EQ(Format(blocks, 1), TextFormat::kPrometheus004);
}

TEST(FamilyBlocksTest, AnUntypedOpenMetricsFamilyIsWrittenUnknown) {
  const std::string body = "x 1\n";
  FamilyBlocks::Builder builder(body, TextFormat::kOpenMetrics100);
  builder.AddLine("x", SampleType::kUntyped, 0, 3);
  const FamilyBlocks blocks = std::move(builder).Build();
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(Text(blocks, 0), "# TYPE x unknown\nx 1\n");
  EXPECT_EQ(Format(blocks, 0), TextFormat::kOpenMetrics100);
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
  EXPECT_EQ(Text(merged, 0), "# TYPE a gauge\na 1\n");
  EXPECT_EQ(Text(merged, 1), "# TYPE b counter\nb 20\n");
  EXPECT_EQ(Format(merged, 1), TextFormat::kOpenMetrics100);
  EXPECT_EQ(Text(merged, 2), "# TYPE c gauge\nc 30\n");
  EXPECT_EQ(Text(merged, 3), "# TYPE d gauge\nd 4\n");
  EXPECT_EQ(Format(merged, 3), TextFormat::kPrometheus004);
  // Merging into nothing (a group's first POST) is the newer blocks.
  EXPECT_THAT(Families(FamilyBlocks::Merge(FamilyBlocks(), newer)), ElementsAre("b", "c"));
}

// Any line reads back byte for byte, whatever it holds: quotes, escapes,
// braces, commas and spaces inside values, no labels, odd bytes.
TEST(FamilyBlocksTest, EveryLineReadsBackAsPushed) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab{},=\" \\\n#0.9_\xc3\xa9";
  std::string body;
  std::vector<std::string> lines;
  for (int n = 0; n < 500; ++n) {
    std::string line;
    const int size = static_cast<int>(rng() % 60);
    for (int i = 0; i < size; ++i) {
      char c = alphabet[rng() % alphabet.size()];
      if (c == '\n') c = 'z';  // a line has none
      line.push_back(c);
    }
    lines.push_back(line);
    body += line + "\n";
  }
  lines.push_back(R"(m{a="x,y} z",b="q\"},",c="\\"} 1.5 1700000000000)");
  lines.push_back("m 2");
  lines.push_back(R"(m_total{a="1"} 3 # {trace_id="ab,c"} 1.0)");
  for (size_t i = 500; i < lines.size(); ++i) body += lines[i] + "\n";
  const auto spans = Lines(body);
  ASSERT_EQ(spans.size(), lines.size());
  FamilyBlocks::Builder builder(body, TextFormat::kPrometheus004);
  for (const auto& [start, end] : spans) builder.AddLine("m", SampleType::kGauge, start, end);
  const FamilyBlocks blocks = std::move(builder).Build();
  ASSERT_EQ(blocks.size(), 1u);
  std::string expected = "# TYPE m gauge\n";
  for (const std::string& line : lines) expected += line + "\n";
  EXPECT_EQ(Text(blocks, 0), expected);
  // And again after a merge, which reads the blocks back and builds anew.
  EXPECT_EQ(Text(FamilyBlocks::Merge(blocks, FamilyBlocks()), 0), expected);
}

// A TaskManager's push as Flink's PrometheusPushGatewayReporter sends it:
// hundreds of lines that repeat the same label pairs. Held, it is a small
// part of the body.
TEST(FamilyBlocksTest, AFlinkPushIsHeldInAFractionOfItsText) {
  const std::string job_id = "5c1e8a2b9f0d4e6a8b7c3d2e1f0a9b8c";
  const std::string task_id = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
  std::string body;
  std::vector<std::string> families;
  for (std::string metric :
       {"numRecordsIn", "numRecordsOut", "numRecordsInPerSecond", "numRecordsOutPerSecond",
        "numBytesIn", "numBytesOut", "currentInputWatermark", "currentOutputWatermark"}) {
    const std::string family = "flink_taskmanager_job_task_operator_" + metric;
    families.push_back(family);
    absl::StrAppend(&body, "# HELP ", family, " ", metric,
                    " (scope: taskmanager_job_task_operator)\n# TYPE ", family, " gauge\n");
    for (int op = 0; op < 5; ++op) {
      for (int subtask = 0; subtask < 4; ++subtask) {
        absl::StrAppend(&body, family, "{host=\"10.0.3.17\",job_id=\"", job_id,
                        "\",job_name=\"orders-enrichment\",operator_id=\"", op, task_id.substr(1),
                        "\",operator_name=\"Operator ", op, "\",subtask_index=\"", subtask,
                        "\",task_attempt_id=\"", subtask, job_id.substr(1),
                        "\",task_attempt_num=\"0\",task_id=\"", task_id,
                        "\",task_name=\"Source: Kafka -> Map\",tm_id=\"10.0.3.17:6122-4f1a2b\"} ",
                        op * 1000.5 + subtask, "\n");
      }
    }
  }
  FamilyBlocks::Builder builder(body, TextFormat::kPrometheus004);
  for (const auto& [start, end] : Lines(body)) {
    const std::string_view line = std::string_view(body).substr(start, end - start);
    if (line.starts_with("#")) continue;
    const std::string family(line.substr(0, line.find('{')));
    builder.AddLine(family, SampleType::kGauge, start, end);
  }
  const FamilyBlocks blocks = std::move(builder).Build();
  ASSERT_EQ(blocks.size(), families.size());
  size_t text_bytes = 0;
  for (const FamilyBlock block : blocks) text_bytes += block.text.size();
  EXPECT_LT(blocks.held_bytes() * 4, text_bytes) << blocks.held_bytes() << " of " << text_bytes;
}

TEST(FamilyBlocksTest, AnEmptyBodyHasNoBlocks) {
  FamilyBlocks::Builder builder("", TextFormat::kPrometheus004);
  const FamilyBlocks blocks = std::move(builder).Build();
  EXPECT_TRUE(blocks.empty());
  EXPECT_EQ(blocks.begin(), blocks.end());
}

}  // namespace
}  // namespace vitals::gateway
