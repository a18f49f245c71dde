#include "sim/influx.h"

#include <map>
#include <regex>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "sim/fleet.h"
#include "test/unit/sim/sim_test_util.h"

namespace vitals::sim::testing {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

struct Point {
  std::string measurement;
  std::vector<std::pair<std::string, std::string>> tags;  // unescaped
  std::vector<std::pair<std::string, std::string>> fields;
  std::string timestamp;

  std::string Tag(std::string_view key) const {
    for (const auto& [k, v] : tags) {
      if (k == key) return v;
    }
    return "";
  }
  std::string Field(std::string_view key) const {
    for (const auto& [k, v] : fields) {
      if (k == key) return v;
    }
    return "";
  }
};

// Splits at unescaped `sep`, unescaping `\x`.
std::vector<std::string> SplitEscaped(std::string_view text, char sep) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back().push_back(text[++i]);
    } else if (text[i] == sep) {
      parts.emplace_back();
    } else {
      parts.back().push_back(text[i]);
    }
  }
  return parts;
}

// A test-only reading of the lines influxdb-java writes (no spaces or
// commas inside string field values here except escaped ones).
Point ParseLine(std::string_view line) {
  // Three sections separated by unescaped spaces outside quotes.
  std::vector<std::string> sections(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      sections.back().push_back(c);
      sections.back().push_back(line[++i]);
    } else if (c == '"') {
      quoted = !quoted;
      sections.back().push_back(c);
    } else if (c == ' ' && !quoted) {
      sections.emplace_back();
    } else {
      sections.back().push_back(c);
    }
  }
  Point point;
  EXPECT_EQ(sections.size(), 3u) << line;
  if (sections.size() != 3) return point;
  // Measurement and tags: split at unescaped commas, keep escapes for '='.
  std::vector<std::string> keys;
  std::string current;
  std::vector<std::string> raw_parts;
  for (size_t i = 0; i < sections[0].size(); ++i) {
    if (sections[0][i] == '\\') {
      current.push_back(sections[0][i]);
      current.push_back(sections[0][++i]);
    } else if (sections[0][i] == ',') {
      raw_parts.push_back(current);
      current.clear();
    } else {
      current.push_back(sections[0][i]);
    }
  }
  raw_parts.push_back(current);
  point.measurement = SplitEscaped(raw_parts[0], '\0')[0];
  for (size_t i = 1; i < raw_parts.size(); ++i) {
    std::vector<std::string> kv = SplitEscaped(raw_parts[i], '=');
    EXPECT_EQ(kv.size(), 2u) << raw_parts[i];
    if (kv.size() == 2) point.tags.emplace_back(kv[0], kv[1]);
  }
  for (absl::string_view field : absl::StrSplit(sections[1], ',')) {
    size_t eq = field.find('=');
    point.fields.emplace_back(std::string(field.substr(0, eq)), std::string(field.substr(eq + 1)));
  }
  point.timestamp = sections[2];
  return point;
}

std::vector<Point> Points(const std::vector<InfluxWrite>& writes) {
  std::vector<Point> points;
  for (const InfluxWrite& write : writes) {
    EXPECT_EQ(write.body.back(), '\n');
    for (absl::string_view line : absl::StrSplit(write.body, '\n', absl::SkipEmpty())) {
      points.push_back(ParseLine(std::string_view(line.data(), line.size())));
    }
  }
  return points;
}

const Point* Find(const std::vector<Point>& points, std::string_view measurement,
                  std::string_view tag = "", std::string_view value = "") {
  for (const Point& p : points) {
    if (p.measurement == measurement && (tag.empty() || p.Tag(tag) == value)) return &p;
  }
  return nullptr;
}

TEST(InfluxTest, OneWritePerProcessWithInfluxdbJavasQuery) {
  FleetSpec spec;
  spec.jobs = 2;
  spec.start_ms = kStart;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 10'000);
  std::vector<InfluxWrite> writes;
  RenderStats stats = RenderInflux(fleet, &writes);
  EXPECT_EQ(writes.size(), 6u);
  for (const InfluxWrite& write : writes) {
    EXPECT_EQ(write.path, "/write?db=flink&rp=&precision=n&consistency=one");
  }
  std::vector<Point> points = Points(writes);
  EXPECT_EQ(stats.samples, points.size());
  for (const Point& p : points) {
    EXPECT_EQ(p.timestamp, std::to_string((kStart + 10'000) * 1'000'000)) << p.measurement;
    // Tags are sorted by key.
    for (size_t i = 1; i < p.tags.size(); ++i) EXPECT_LT(p.tags[i - 1].first, p.tags[i].first);
    EXPECT_FALSE(p.fields.empty());
  }

  spec.reporter.influx_nanosecond_timestamps = false;
  spec.reporter.influx_db = "metrics";
  spec.reporter.influx_retention_policy = "autogen";
  Fleet ms = MakeFleet(spec);
  RenderInflux(ms, &writes);
  EXPECT_EQ(writes[0].path, "/write?db=metrics&rp=autogen&precision=ms&consistency=one");
  EXPECT_EQ(Points(writes)[0].timestamp, std::to_string(kStart));
}

TEST(InfluxTest, MeasurementsTagsAndFieldsPerMetricType) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  Fleet fleet = MakeFleet(spec);
  fleet.AdvanceTo(kStart + 20'000);
  std::vector<InfluxWrite> writes;
  RenderInflux(fleet, &writes);
  std::vector<Point> points = Points(writes);
  const SimJob& job = fleet.jobs()[0];

  // Counter: `count` as an integer. Tags are the variables, unfiltered.
  const Point* counter =
      Find(points, "taskmanager_job_task_numRecordsIn", "task_name", "Source: orders -> Map");
  ASSERT_NE(counter, nullptr);
  EXPECT_TRUE(std::regex_match(counter->Field("count"), std::regex(R"(\d+i)")));
  EXPECT_EQ(counter->Tag("host"), job.processes[1].host);
  EXPECT_EQ(counter->Tag("job_name"), "job-000");
  EXPECT_EQ(counter->Tag("job_id"), job.id);
  EXPECT_EQ(counter->fields.size(), 1u);

  // Meter: count and rate.
  const Point* meter = Find(points, "taskmanager_job_task_operator_numRecordsOutPerSecond");
  ASSERT_NE(meter, nullptr);
  ASSERT_EQ(meter->fields.size(), 2u);
  EXPECT_EQ(meter->fields[0].first, "count");
  EXPECT_EQ(meter->fields[1].first, "rate");
  EXPECT_TRUE(std::regex_match(meter->Field("rate"), std::regex(R"(\d+\.\d+)")));

  // Gauges: integers with `i`, doubles plain, booleans and strings quoted.
  EXPECT_EQ(Find(points, "jobmanager_job_numRestarts")->Field("value"), "0i");
  EXPECT_EQ(Find(points, "jobmanager_Status_JVM_Memory_NonHeap_Max")->Field("value"), "-1i");
  EXPECT_EQ(Find(points, "taskmanager_job_task_isBackPressured")->Field("value"), "\"false\"");
  EXPECT_EQ(Find(points, "jobmanager_job_lastCheckpointExternalPath")->Field("value"),
            "\"s3://flink-checkpoints/job-000/" + job.id + "/chk-2\"");
  // The metric name is not filtered, the scope is.
  ASSERT_NE(
      Find(points, "taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records-lag-max"),
      nullptr);
  ASSERT_NE(Find(points, "taskmanager_Status_JVM_GarbageCollector_G1_Young_Generation_Count"),
            nullptr);
  const Point* offset =
      Find(points, "taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset");
  ASSERT_NE(offset, nullptr);
  EXPECT_EQ(offset->Tag("topic"), "orders");
  EXPECT_EQ(offset->Tag("partition"), "0");

  // Histogram fields, in influxdb-java's (sorted) order.
  const Point* histogram =
      Find(points, "taskmanager_job_latency_source_id_operator_id_operator_subtask_index_latency");
  ASSERT_NE(histogram, nullptr);
  std::vector<std::string> keys;
  for (const auto& [k, v] : histogram->fields) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"50-percentile", "75-percentile", "95-percentile",
                                      "98-percentile", "99-percentile", "999-percentile", "count",
                                      "max", "mean", "min", "run-count", "std-dev"}));
  EXPECT_EQ(histogram->Tag("source_id"), job.operators[0].id);
}

TEST(InfluxTest, NaNFieldsAreLeftOut) {
  FleetSpec spec;
  spec.jobs = 1;
  spec.start_ms = kStart;
  Fleet fleet = MakeFleet(spec);
  // Right after the start the Kafka client has no lag sample yet (NaN).
  std::vector<InfluxWrite> writes;
  RenderInflux(fleet, &writes);
  std::vector<Point> points = Points(writes);
  EXPECT_EQ(
      Find(points, "taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records-lag-max"),
      nullptr);
  fleet.AdvanceTo(kStart + 10'000);
  RenderInflux(fleet, &writes);
  points = Points(writes);
  EXPECT_NE(
      Find(points, "taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records-lag-max"),
      nullptr);
}

}  // namespace
}  // namespace vitals::sim::testing
