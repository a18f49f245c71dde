#include "sim/statsd.h"

#include "sim/java_format.h"

namespace vitals::sim {
namespace {

class DatagramWriter {
 public:
  DatagramWriter(const Fleet& fleet, std::vector<StatsdDatagram>* out)
      : out_(*out), max_bytes_(fleet.spec().reporter.statsd_max_datagram_bytes) {}

  void StartProcess(const std::string& node, uint64_t process_uid) {
    Flush();
    node_ = &node;
    process_uid_ = process_uid;
  }

  // One `identifier:value|g` line; `identifier` is prefix + name + suffix.
  void Line(const std::string& prefix, const std::string& name, std::string_view suffix,
            std::string_view value) {
    line_.clear();
    line_.append(prefix);
    line_.append(name);
    line_.append(suffix);
    line_.push_back(':');
    line_.append(value);
    line_.append("|g");
    ++lines_;
    if (current_ != nullptr && max_bytes_ > 0 &&
        current_->payload.size() + 1 + line_.size() <= static_cast<size_t>(max_bytes_)) {
      current_->payload.push_back('\n');
      current_->payload.append(line_);
      return;
    }
    Flush();
    current_ = &ReuseSlot(&out_, used_++);
    current_->node = *node_;
    current_->process_uid = process_uid_;
    current_->payload.assign(line_);
    if (max_bytes_ == 0) Flush();
  }

  RenderStats Finish() {
    Flush();
    out_.resize(used_);
    return RenderStats{.payloads = used_, .samples = lines_, .bytes = bytes_};
  }

 private:
  void Flush() {
    if (current_ != nullptr) bytes_ += current_->payload.size();
    current_ = nullptr;
  }

  std::vector<StatsdDatagram>& out_;
  const int max_bytes_;
  const std::string* node_ = nullptr;
  uint64_t process_uid_ = 0;
  StatsdDatagram* current_ = nullptr;
  std::string line_;
  size_t used_ = 0;
  size_t lines_ = 0;
  size_t bytes_ = 0;
};

class ProcessRenderer {
 public:
  ProcessRenderer(DatagramWriter& writer, const VersionTraits& traits)
      : writer_(writer), traits_(traits) {}

  // StatsDReporter.send(name, long) / send(name, double).
  void SendInt(const std::string& prefix, const std::string& name, std::string_view suffix,
               int64_t value) {
    value_.clear();
    AppendInt(value, &value_);
    Send(prefix, name, suffix, value < 0);
  }
  void SendDouble(const std::string& prefix, const std::string& name, std::string_view suffix,
                  double value) {
    value_.clear();
    AppendJavaDouble(value, &value_);
    Send(prefix, name, suffix, value < 0);
  }

  void Gauge(const std::string& prefix, const std::string& name, const MetricDef& def,
             const Reading& reading) {
    value_.clear();
    bool negative = false;
    switch (def.kind) {
      case ValueKind::kLong:
        AppendInt(reading.integer, &value_);
        negative = reading.integer < 0;
        break;
      case ValueKind::kDouble:
        AppendJavaDouble(reading.number, &value_);
        negative = reading.number < 0;
        break;
      case ValueKind::kFloat:
        AppendJavaFloat(static_cast<float>(reading.number), &value_);
        negative = reading.number < 0;
        break;
      case ValueKind::kBool:
        value_.append(reading.flag ? "true" : "false");
        writer_.Line(prefix, name, "", value_);
        return;
      case ValueKind::kString:
        writer_.Line(prefix, name, "", reading.text);
        return;
    }
    Send(prefix, name, "", negative);
    if (traits_.statsd_repeats_numeric_gauges) writer_.Line(prefix, name, "", value_);
  }

 private:
  void Send(const std::string& prefix, const std::string& name, std::string_view suffix,
            bool negative) {
    if (negative && traits_.statsd_zero_before_negative) writer_.Line(prefix, name, suffix, "0");
    writer_.Line(prefix, name, suffix, value_);
  }

  DatagramWriter& writer_;
  const VersionTraits& traits_;
  std::string value_;
};

}  // namespace

RenderStats RenderStatsd(const Fleet& fleet, std::vector<StatsdDatagram>* out, int only_node) {
  DatagramWriter writer(fleet, out);
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    const ClusterLayout& layout = fleet.layout(cluster.index);
    ProcessRenderer renderer(writer, Traits(cluster.version));
    for (size_t p = 0; p < cluster.processes.size(); ++p) {
      const SimProcess& process = cluster.processes[p];
      if (only_node >= 0 && process.node != only_node) continue;
      writer.StartProcess(fleet.nodes()[process.node], process.uid);
      for (const Family& family : layout.processes[p].families) {
        const MetricDef& def = *family.def;
        for (uint32_t m = family.begin; m < family.end; ++m) {
          const Group& group = layout.groups[layout.members[m]];
          const std::string& prefix = group.StatsdPrefix();
          const Reading reading = fleet.Read(cluster.index, group, def);
          switch (def.type) {
            case MetricType::kCounter:
              renderer.SendInt(prefix, def.statsd_name, "", reading.integer);
              break;
            case MetricType::kGauge:
              renderer.Gauge(prefix, def.statsd_name, def, reading);
              break;
            case MetricType::kMeter:
              renderer.SendDouble(prefix, def.statsd_name, ".rate", reading.number);
              renderer.SendInt(prefix, def.statsd_name, ".count", reading.integer);
              break;
            case MetricType::kHistogram: {
              const HistogramStats& h = *reading.histogram;
              renderer.SendInt(prefix, def.statsd_name, ".count", h.count);
              renderer.SendInt(prefix, def.statsd_name, ".max", h.max);
              renderer.SendInt(prefix, def.statsd_name, ".min", h.min);
              renderer.SendDouble(prefix, def.statsd_name, ".mean", h.mean);
              renderer.SendDouble(prefix, def.statsd_name, ".stddev", h.stddev);
              renderer.SendDouble(prefix, def.statsd_name, ".p50", h.p50);
              renderer.SendDouble(prefix, def.statsd_name, ".p75", h.p75);
              renderer.SendDouble(prefix, def.statsd_name, ".p95", h.p95);
              renderer.SendDouble(prefix, def.statsd_name, ".p98", h.p98);
              renderer.SendDouble(prefix, def.statsd_name, ".p99", h.p99);
              renderer.SendDouble(prefix, def.statsd_name, ".p999", h.p999);
              break;
            }
          }
        }
      }
    }
  }
  return writer.Finish();
}

}  // namespace vitals::sim
