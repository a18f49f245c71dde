#pragma once

// StatsDReporter datagrams: `<scope identifier>.<metric>:<value>|g` for
// every value, under Flink's default scope formats with the `.` delimiter
// and `:` replaced by `-`. Meters send `.rate` and `.count`, histograms
// `.count .max .min .mean .stddev .p50 .p75 .p95 .p98 .p99 .p999`;
// booleans and strings go out as text (invalid StatsD, as Flink sends it).
// From Flink 1.14 on, negative values are preceded by `name:0|g` and
// numeric gauges are sent twice, as the reporter's code does.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/fleet.h"
#include "sim/render_stats.h"

namespace vitals::sim {

struct StatsdDatagram {
  // Node whose gateway receives it.
  std::string node;
  // SimProcess::uid of the sender: each Flink process's StatsDReporter has
  // a DatagramSocket of its own, so its datagrams come from its own
  // address.
  uint64_t process_uid = 0;
  // One or more lines, `\n`-separated, at most
  // ReporterSpec::statsd_max_datagram_bytes (a longer line goes alone).
  std::string payload;
};

// Fills `out` (reusing its elements); lines of one process (its own
// metrics and those of every job it hosts) share datagrams, processes
// never do. With `only_node` >= 0 only the processes placed on that node.
RenderStats RenderStatsd(const Fleet& fleet, std::vector<StatsdDatagram>* out, int only_node = -1);

}  // namespace vitals::sim
