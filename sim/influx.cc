#include "sim/influx.h"

#include <cmath>

#include "sim/java_format.h"

namespace vitals::sim {
namespace {

class FieldWriter {
 public:
  explicit FieldWriter(std::string* out) : out_(*out) {}

  void Int(std::string_view key, int64_t value) {
    Key(key);
    AppendInt(value, &out_);
    out_.push_back('i');
  }
  void Double(std::string_view key, double value) {
    if (!std::isfinite(value)) return;
    Key(key);
    AppendPlainDecimal(value, &out_);
  }
  void String(std::string_view key, std::string_view value) {
    Key(key);
    out_.push_back('"');
    for (char c : value) {
      if (c == '"' || c == '\\') out_.push_back('\\');
      out_.push_back(c);
    }
    out_.push_back('"');
  }
  int count() const { return count_; }

 private:
  void Key(std::string_view key) {
    out_.push_back(count_++ == 0 ? ' ' : ',');
    out_.append(key);
    out_.push_back('=');
  }

  std::string& out_;
  int count_ = 0;
};

// Field keys in influxdb-java's order (a TreeMap, so sorted).
void WriteFields(const MetricDef& def, const Reading& reading, FieldWriter& fields) {
  switch (def.type) {
    case MetricType::kCounter:
      fields.Int("count", reading.integer);
      return;
    case MetricType::kMeter:
      fields.Int("count", reading.integer);
      fields.Double("rate", reading.number);
      return;
    case MetricType::kHistogram: {
      const HistogramStats& h = *reading.histogram;
      fields.Double("50-percentile", h.p50);
      fields.Double("75-percentile", h.p75);
      fields.Double("95-percentile", h.p95);
      fields.Double("98-percentile", h.p98);
      fields.Double("99-percentile", h.p99);
      fields.Double("999-percentile", h.p999);
      fields.Int("count", h.size);
      fields.Int("max", h.max);
      fields.Double("mean", h.mean);
      fields.Int("min", h.min);
      fields.Int("run-count", h.count);
      fields.Double("std-dev", h.stddev);
      return;
    }
    case MetricType::kGauge:
      switch (def.kind) {
        case ValueKind::kLong:
          fields.Int("value", reading.integer);
          return;
        case ValueKind::kDouble:
        case ValueKind::kFloat:
          fields.Double("value", reading.number);
          return;
        case ValueKind::kBool:
          fields.String("value", reading.flag ? "true" : "false");
          return;
        case ValueKind::kString:
          fields.String("value", reading.text);
          return;
      }
  }
}

}  // namespace

RenderStats RenderInflux(const Fleet& fleet, std::vector<InfluxWrite>* out, int only_node) {
  const ReporterSpec& reporter = fleet.spec().reporter;
  std::string path = "/write?db=" + reporter.influx_db + "&rp=" + reporter.influx_retention_policy +
                     (reporter.influx_nanosecond_timestamps ? "&precision=n" : "&precision=ms") +
                     "&consistency=one";
  std::string timestamp;
  AppendInt(reporter.influx_nanosecond_timestamps ? fleet.now_ms() * 1'000'000 : fleet.now_ms(),
            &timestamp);

  RenderStats stats;
  size_t used = 0;
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    const ClusterLayout& layout = fleet.layout(cluster.index);
    for (size_t p = 0; p < cluster.processes.size(); ++p) {
      const SimProcess& process = cluster.processes[p];
      if (only_node >= 0 && process.node != only_node) continue;
      InfluxWrite& write = ReuseSlot(out, used++);
      write.node = fleet.nodes()[process.node];
      write.path = path;
      std::string& body = write.body;
      body.clear();
      for (const Family& family : layout.processes[p].families) {
        const MetricDef& def = *family.def;
        for (uint32_t m = family.begin; m < family.end; ++m) {
          const Group& group = layout.groups[layout.members[m]];
          const size_t line_start = body.size();
          body.append(def.influx_measurement);
          body.append(group.InfluxTags());
          FieldWriter fields(&body);
          WriteFields(def, fleet.Read(cluster.index, group, def), fields);
          if (fields.count() == 0) {
            body.resize(line_start);
            continue;
          }
          body.push_back(' ');
          body.append(timestamp);
          body.push_back('\n');
          ++stats.samples;
        }
      }
      stats.bytes += body.size();
    }
  }
  out->resize(used);
  stats.payloads = used;
  return stats;
}

}  // namespace vitals::sim
