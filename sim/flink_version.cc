#include "sim/flink_version.h"

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::sim {
namespace {

// Indexed by FlinkVersion.
constexpr VersionTraits kTraits[] = {
    // 1.10
    {.idle_time = false,
     .idle_time_is_meter = false,
     .busy_and_backpressured_time = false,
     .soft_hard_backpressure = false,
     .job_state_gauges = false,
     .uptime_downtime = true,
     .full_restarts = true,
     .kafka_source_reader = false,
     .gc_time_rate_and_all = false,
     .g1_collectors = false,
     .last_checkpoint_full_size = false,
     .num_bytes_in = false,
     .shuffle_netty_status = false,
     .checkpoint_start_delay = false,
     .statsd_zero_before_negative = false,
     .statsd_repeats_numeric_gauges = false},
    // 1.12
    {.idle_time = true,
     .idle_time_is_meter = true,
     .busy_and_backpressured_time = false,
     .soft_hard_backpressure = false,
     .job_state_gauges = false,
     .uptime_downtime = true,
     .full_restarts = true,
     .kafka_source_reader = false,
     .gc_time_rate_and_all = false,
     .g1_collectors = false,
     .last_checkpoint_full_size = false,
     .num_bytes_in = true,
     .shuffle_netty_status = true,
     .checkpoint_start_delay = true,
     .statsd_zero_before_negative = false,
     .statsd_repeats_numeric_gauges = false},
    // 1.14
    {.idle_time = true,
     .idle_time_is_meter = false,
     .busy_and_backpressured_time = true,
     .soft_hard_backpressure = false,
     .job_state_gauges = false,
     .uptime_downtime = true,
     .full_restarts = true,
     .kafka_source_reader = true,
     .gc_time_rate_and_all = false,
     .g1_collectors = true,
     .last_checkpoint_full_size = false,
     .num_bytes_in = true,
     .shuffle_netty_status = true,
     .checkpoint_start_delay = true,
     .statsd_zero_before_negative = true,
     .statsd_repeats_numeric_gauges = true},
    // 1.17
    {.idle_time = true,
     .idle_time_is_meter = false,
     .busy_and_backpressured_time = true,
     .soft_hard_backpressure = true,
     .job_state_gauges = true,
     .uptime_downtime = true,
     .full_restarts = true,
     .kafka_source_reader = true,
     .gc_time_rate_and_all = false,
     .g1_collectors = true,
     .last_checkpoint_full_size = true,
     .num_bytes_in = true,
     .shuffle_netty_status = true,
     .checkpoint_start_delay = true,
     .statsd_zero_before_negative = true,
     .statsd_repeats_numeric_gauges = true},
    // 1.19
    {.idle_time = true,
     .idle_time_is_meter = false,
     .busy_and_backpressured_time = true,
     .soft_hard_backpressure = true,
     .job_state_gauges = true,
     .uptime_downtime = true,
     .full_restarts = true,
     .kafka_source_reader = true,
     .gc_time_rate_and_all = true,
     .g1_collectors = true,
     .last_checkpoint_full_size = true,
     .num_bytes_in = true,
     .shuffle_netty_status = true,
     .checkpoint_start_delay = true,
     .statsd_zero_before_negative = true,
     .statsd_repeats_numeric_gauges = true},
    // 2.0
    {.idle_time = true,
     .idle_time_is_meter = false,
     .busy_and_backpressured_time = true,
     .soft_hard_backpressure = true,
     .job_state_gauges = true,
     .uptime_downtime = false,
     .full_restarts = false,
     .kafka_source_reader = true,
     .gc_time_rate_and_all = true,
     .g1_collectors = true,
     .last_checkpoint_full_size = true,
     .num_bytes_in = true,
     .shuffle_netty_status = true,
     .checkpoint_start_delay = true,
     .statsd_zero_before_negative = true,
     .statsd_repeats_numeric_gauges = true},
};

}  // namespace

std::string_view FlinkVersionName(FlinkVersion version) {
  switch (version) {
    case FlinkVersion::k1_10:
      return "1.10";
    case FlinkVersion::k1_12:
      return "1.12";
    case FlinkVersion::k1_14:
      return "1.14";
    case FlinkVersion::k1_17:
      return "1.17";
    case FlinkVersion::k1_19:
      return "1.19";
    case FlinkVersion::k2_0:
      return "2.0";
  }
  return "?";
}

absl::StatusOr<FlinkVersion> ParseFlinkVersion(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("unknown Flink version \"", AsAbsl(text),
                                                   "\" (want 1.10 … 1.20 or 2.x, e.g. 1.17)"));
  };
  int major = 0;
  int minor = 0;
  size_t i = 0;
  auto read_number = [&](int* value) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 4) {
      *value = *value * 10 + (text[i] - '0');
      ++i;
    }
    return i > start;
  };
  if (!read_number(&major) || i >= text.size() || text[i] != '.') return invalid();
  ++i;
  if (!read_number(&minor)) return invalid();
  if (i < text.size()) {
    int patch = 0;
    if (text[i] != '.') return invalid();
    ++i;
    if (!read_number(&patch) || i != text.size()) return invalid();
  }
  if (major == 2) return FlinkVersion::k2_0;
  if (major != 1 || minor < 10) return invalid();
  if (minor == 10) return FlinkVersion::k1_10;
  if (minor <= 12) return FlinkVersion::k1_12;
  if (minor <= 14) return FlinkVersion::k1_14;
  if (minor <= 18) return FlinkVersion::k1_17;
  if (minor <= 20) return FlinkVersion::k1_19;
  return invalid();
}

const VersionTraits& Traits(FlinkVersion version) { return kTraits[static_cast<int>(version)]; }

}  // namespace vitals::sim
