#pragma once

// InfluxdbReporter writes: one line-protocol batch per Flink process per
// report interval, POSTed by influxdb-java to
// /write?db=<db>&rp=<rp>&precision=n&consistency=one. Measurement = the
// logical scope (filtered, `_`-joined) + `_` + the metric name; tags = all
// variables, unfiltered, sorted; fields per type (gauge `value`, counter
// `count`, meter `count` and `rate`, histogram `run-count`, `count`, `min`,
// `max`, `mean`, `std-dev`, `<q>-percentile`), integers with an `i` suffix.
// The timestamp is Flink's report time in ms, which the client writes as
// nanoseconds.

#include <string>
#include <vector>

#include "sim/fleet.h"
#include "sim/render_stats.h"

namespace vitals::sim {

struct InfluxWrite {
  // Node whose gateway receives it.
  std::string node;
  // Path with query string, e.g. `/write?db=flink&rp=&precision=n&consistency=one`.
  std::string path;
  std::string body;
};

// Fills `out` with one write per physical process (reusing its elements),
// holding its own metrics and those of every job it hosts; with
// `only_node` >= 0 only the processes placed on that node. Non-finite
// double fields are left out (InfluxDB rejects them); a point left without
// fields is dropped.
RenderStats RenderInflux(const Fleet& fleet, std::vector<InfluxWrite>* out, int only_node = -1);

}  // namespace vitals::sim
