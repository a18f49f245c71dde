#pragma once

// The Flink releases whose metric naming the simulator reproduces, and what
// each registers (see flink-metrics.md's per-dimension table). A version
// stands for its line: k1_12 for 1.11–1.12, k1_14 for 1.13–1.14, k1_17 for
// 1.15–1.18.

#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::sim {

enum class FlinkVersion { k1_10, k1_12, k1_14, k1_17, k1_19, k2_0 };

inline constexpr FlinkVersion kAllFlinkVersions[] = {FlinkVersion::k1_10, FlinkVersion::k1_12,
                                                     FlinkVersion::k1_14, FlinkVersion::k1_17,
                                                     FlinkVersion::k1_19, FlinkVersion::k2_0};

// "1.10", "1.12", "1.14", "1.17", "1.19", "2.0".
std::string_view FlinkVersionName(FlinkVersion version);

// Accepts the names above, also with a patch level ("1.17.2"), and maps
// other minors onto their line ("1.15" → k1_17, "1.20" → k1_19).
absl::StatusOr<FlinkVersion> ParseFlinkVersion(std::string_view text);

struct VersionTraits {
  // Task idleTimeMsPerSecond (1.11+): a Meter in 1.11–1.12 that includes
  // back-pressured time, a gauge from 1.13 on that excludes it.
  bool idle_time;
  bool idle_time_is_meter;
  // busyTimeMsPerSecond and backPressuredTimeMsPerSecond (1.13+).
  bool busy_and_backpressured_time;
  // soft/hardBackPressuredTimeMsPerSecond (1.15+).
  bool soft_hard_backpressure;
  // Job <state>State and <state>Time gauges (1.15+).
  bool job_state_gauges;
  // Job uptime/downtime and fullRestarts: deprecated, gone in 2.0.
  bool uptime_downtime;
  bool full_restarts;
  // FLIP-27 KafkaSource metrics (KafkaSourceReader.*, pendingRecords,
  // currentEmitEventTimeLag) instead of the legacy consumer's KafkaConsumer.*.
  bool kafka_source_reader;
  // GC <collector>.TimeMsPerSecond and the All.* group (1.19+).
  bool gc_time_rate_and_all;
  // G1 collector names (Java 11+) rather than Java 8's Parallel GC names.
  bool g1_collectors;
  // lastCheckpointFullSize (1.15+).
  bool last_checkpoint_full_size;
  // Task numBytesIn (1.11+) rather than numBytesInLocal/numBytesInRemote.
  bool num_bytes_in;
  // Status.Shuffle.Netty.* rather than Status.Network.*; managed memory gauges.
  bool shuffle_netty_status;
  // Task checkpointStartDelayNanos (1.11+).
  bool checkpoint_start_delay;
  // StatsDReporter sends `name:0|g` before a negative value, and (as its
  // reportGauge is written) every numeric gauge twice.
  bool statsd_zero_before_negative;
  bool statsd_repeats_numeric_gauges;
};

const VersionTraits& Traits(FlinkVersion version);

}  // namespace vitals::sim
