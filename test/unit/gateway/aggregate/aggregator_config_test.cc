#include "gateway/aggregate/aggregator_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;

struct Parsed {
  AggregatorConfig config;
  config::ConfigErrors errors;
};

Parsed Parse(const std::string& yaml) {
  Parsed parsed;
  YAML::Node root = YAML::Load(yaml);
  config::YamlMap top(root, "", &parsed.errors);
  config::YamlMap section = top.Child("aggregation");
  parsed.config = ParseAggregatorConfig(section);
  return parsed;
}

TEST(AggregatorConfigTest, DefaultsAreValid) {
  AggregatorConfig config;
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_EQ(config.interval_ms(), 10'000);
  EXPECT_THAT(config.fold_labels, ::testing::Contains("source"));
  Parsed parsed = Parse("other: 1\n");
  EXPECT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.config.max_series, AggregatorConfig().max_series);
}

TEST(AggregatorConfigTest, ReadsEveryKey) {
  Parsed parsed = Parse(R"(
aggregation:
  interval: 15s
  shards: 8
  fold_labels: [host, tm_id]
  raw_metrics: [currentOutputWatermark]
  instance_metrics: [numRecordsInPerSecond]
  cumulative_metrics: [myEvents]
  max_series: 5000
  max_series_per_job: 500
  max_new_series_per_source: 250
  reserved_series_fraction: 0.25
  expire_after_intervals: 3
)");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.ToStatus();
  const AggregatorConfig& c = parsed.config;
  EXPECT_EQ(c.interval_ms(), 15'000);
  EXPECT_EQ(c.shards, 8u);
  EXPECT_EQ(c.fold_labels, (std::vector<std::string>{"host", "tm_id"}));
  EXPECT_EQ(c.raw_metrics, (std::vector<std::string>{"currentOutputWatermark"}));
  EXPECT_EQ(c.instance_metrics, (std::vector<std::string>{"numRecordsInPerSecond"}));
  EXPECT_EQ(c.cumulative_metrics, (std::vector<std::string>{"myEvents"}));
  EXPECT_EQ(c.max_series, 5000);
  EXPECT_EQ(c.max_series_per_job, 500);
  EXPECT_EQ(c.max_new_series_per_source, 250);
  EXPECT_EQ(c.reserved_series_fraction, 0.25);
  EXPECT_EQ(c.open_series(), 3750);
  EXPECT_EQ(c.expire_after_intervals, 3u);
}

TEST(AggregatorConfigTest, MisspelledKeyIsAnErrorWithItsPath) {
  Parsed parsed = Parse("aggregation:\n  intervall: 15s\n  max_series_per_jobs: 3\n");
  EXPECT_THAT(parsed.errors.ToStatus().message(), HasSubstr("aggregation.intervall: unknown key"));
  EXPECT_THAT(parsed.errors.ToStatus().message(),
              HasSubstr("aggregation.max_series_per_jobs: unknown key"));
}

TEST(AggregatorConfigTest, InvalidValuesNameTheirKey) {
  Parsed parsed = Parse(R"(
aggregation:
  interval: 10us
  shards: 0
  max_series: 0
  max_new_series_per_source: 0
  reserved_series_fraction: 0.9
  expire_after_intervals: 0
  raw_metrics: [a, a]
  fold_labels: [""]
)");
  const std::string message(parsed.errors.ToStatus().message());
  EXPECT_THAT(message, HasSubstr("aggregation.interval:"));
  EXPECT_THAT(message, HasSubstr("aggregation.shards:"));
  EXPECT_THAT(message, HasSubstr("aggregation.max_series:"));
  EXPECT_THAT(message, HasSubstr("aggregation.expire_after_intervals:"));
  EXPECT_THAT(message, HasSubstr("aggregation.max_new_series_per_source:"));
  EXPECT_THAT(message, HasSubstr("aggregation.reserved_series_fraction:"));
  EXPECT_THAT(message, HasSubstr("aggregation.raw_metrics: 'a' is listed twice"));
  EXPECT_THAT(message, HasSubstr("aggregation.fold_labels:"));

  EXPECT_THAT(Parse("aggregation:\n  shards: many\n").errors.ToStatus().message(),
              HasSubstr("aggregation.shards: expected an integer"));
}

TEST(AggregatorConfigTest, ValidateNamesTheKey) {
  AggregatorConfig config;
  config.interval = absl::Milliseconds(1500) + absl::Microseconds(1);
  config.max_series_per_job = -1;
  absl::Status status = config.Validate();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("aggregation.interval"));
  EXPECT_THAT(status.message(), HasSubstr("aggregation.max_series_per_job"));
}

}  // namespace
}  // namespace vitals::gateway
