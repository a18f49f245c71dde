#include "sim/prometheus_text.h"

#include "sim/java_format.h"

namespace vitals::sim {
namespace {

void AppendEscapedHelp(std::string_view help, std::string* out) {
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void AppendSample(std::string_view family, std::string_view suffix, const std::string& labels,
                  std::string_view quantile, double value, std::string* out) {
  out->append(family);
  out->append(suffix);
  out->push_back('{');
  out->append(labels);
  if (!quantile.empty()) {
    out->append("quantile=\"");
    out->append(quantile);
    out->append("\",");
  }
  out->append("} ");
  AppendGoDouble(value, out);
  out->push_back('\n');
}

}  // namespace

size_t AppendPrometheusText(const Fleet& fleet, int flink_cluster, int process, std::string* out) {
  const ClusterLayout& layout = fleet.layout(flink_cluster);
  const bool filter = fleet.spec().reporter.filter_label_value_characters;
  size_t samples = 0;
  for (const Family& family : layout.processes[process].families) {
    const MetricDef& def = *family.def;
    const bool summary = def.type == MetricType::kHistogram;
    out->append("# HELP ");
    out->append(def.prom_family);
    out->push_back(' ');
    AppendEscapedHelp(def.prom_help, out);
    out->append("\n# TYPE ");
    out->append(def.prom_family);
    out->append(summary ? " summary\n" : " gauge\n");
    for (uint32_t m = family.begin; m < family.end; ++m) {
      const Group& group = layout.groups[layout.members[m]];
      const std::string& labels = group.PrometheusLabels(filter);
      const Reading reading = fleet.Read(flink_cluster, group, def);
      if (!summary) {
        AppendSample(def.prom_family, "", labels, "", reading.number, out);
        ++samples;
        continue;
      }
      // Flink's HistogramSummaryProxy: the count, then min as quantile
      // 0.0, the six quantiles, and max as 1.0.
      const HistogramStats& h = *reading.histogram;
      AppendSample(def.prom_family, "_count", labels, "", static_cast<double>(h.count), out);
      AppendSample(def.prom_family, "", labels, "0.0", static_cast<double>(h.min), out);
      AppendSample(def.prom_family, "", labels, "0.5", h.p50, out);
      AppendSample(def.prom_family, "", labels, "0.75", h.p75, out);
      AppendSample(def.prom_family, "", labels, "0.95", h.p95, out);
      AppendSample(def.prom_family, "", labels, "0.98", h.p98, out);
      AppendSample(def.prom_family, "", labels, "0.99", h.p99, out);
      AppendSample(def.prom_family, "", labels, "0.999", h.p999, out);
      AppendSample(def.prom_family, "", labels, "1.0", static_cast<double>(h.max), out);
      samples += 9;
    }
  }
  return samples;
}

}  // namespace vitals::sim
