#pragma once

// One process's metrics in the Prometheus text format 0.0.4, as Flink's
// PrometheusReporter serves and PrometheusPushGatewayReporter pushes them
// (through the bundled simpleclient): one collector per metric name, so
// one `# HELP`/`# TYPE` per family holding the series of every job the
// process hosts; counters and meters as gauges, histograms as summaries
// without `_sum`, a trailing comma after every label, Java double
// spellings.

#include <cstddef>
#include <string>
#include <string_view>

#include "sim/fleet.h"

namespace vitals::sim {

inline constexpr std::string_view kPrometheusTextContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Appends the exposition of process `process` of Flink cluster
// `flink_cluster`; returns the number of sample lines.
size_t AppendPrometheusText(const Fleet& fleet, int flink_cluster, int process, std::string* out);

}  // namespace vitals::sim
