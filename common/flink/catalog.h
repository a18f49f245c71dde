#pragma once

// The one catalog of what the project knows about Flink's built-in metrics
// (Flink's docs, "System metrics", 1.10 … 2.x; shared/flink-metrics.md):
// where Flink registers each, and which are cumulative. The StatsD scope
// reader, the aggregator's fold and the scorer's dimensions all read it.
// Pure (abseil only): the fuzz preset builds it with the parsers.
//
// Two spellings of one name: as Flink registers it, dotted within metric
// groups (`Status.JVM.CPU.Load`, what identifier-based reporters send), and
// canonical, every character outside [a-zA-Z0-9:_] turned into `_`
// (`Status_JVM_CPU_Load`, what PrometheusReporter sends and the gateway
// keeps).

#include <cstdint>
#include <span>
#include <string_view>

namespace vitals::flink {

// Flink's component metric groups (one per `metrics.scope.*` option), as
// bits of a set, in the order of the scope options.
enum ScopeBit : uint8_t {
  kJobManagerBit = 1 << 0,          // metrics.scope.jm
  kJobManagerJobBit = 1 << 1,       // metrics.scope.jm-job
  kJobManagerOperatorBit = 1 << 2,  // metrics.scope.jm-operator (1.16+)
  kTaskManagerBit = 1 << 3,         // metrics.scope.tm
  kTaskManagerJobBit = 1 << 4,      // metrics.scope.tm-job
  kTaskBit = 1 << 5,                // metrics.scope.task
  kOperatorBit = 1 << 6,            // metrics.scope.operator
};

// How Flink measures it; every reporter but OpenTelemetry sends all of
// them as gauges, so the kind is known by name only.
enum class Kind : uint8_t {
  kGauge,
  kCounter,  // cumulative: differenced per source, a decrease is a reset
  kMeter,    // a rate already
};

// A Flink release as major * 100 + minor: 110 is 1.10, 200 is 2.0.
using Release = uint16_t;
// The oldest release the project reads (shared/flink-metrics.md).
inline constexpr Release kOldestRelease = 110;

struct Metric {
  std::string_view name;  // as registered, dotted within groups
  uint8_t scopes;         // ScopeBits where Flink registers it
  Kind kind;
  // The first release that registers it; 0: every release the project
  // reads, or not known to differ.
  Release since = 0;
  // The first release that no longer does; 0: still registered.
  Release until = 0;
};

// Flink's metrics with a fixed name. A metric listed here is registered
// nowhere but in its scopes.
std::span<const Metric> Metrics();

// Metric groups whose first component decides the scope of everything in
// them (`Status` for the JVM and memory, `KafkaSourceReader`, …).
struct Group {
  std::string_view name;
  uint8_t scopes;
};
std::span<const Group> Groups();

// The JobStatus values Flink registers job-status gauges for
// (JobStatusMetrics: not terminal, not RECONCILING), in lower case:
// `<status>State`, `<status>Time`, `<status>TimeTotal`.
std::span<const std::string_view> GaugedJobStatuses();

// The scopes where Flink registers `dotted_name` when it is a fixed name or
// a job-status gauge; 0 otherwise (members of groups: GroupScopes).
uint8_t FixedNameScopes(std::string_view dotted_name);
// The scopes of a known group (the first component of a dotted name), 0
// when `group` is none.
uint8_t GroupScopes(std::string_view group);

// By canonical name: one Flink registers — a fixed name, a job-status
// gauge, or a member of a known group.
bool IsKnownCanonical(std::string_view canonical);
// A canonical prefix that starts within a known group (for families such
// as `Status_JVM_GarbageCollector_<collector>_Time`).
bool IsKnownCanonicalPrefix(std::string_view canonical_prefix);

// Whether Flink `release` registers the metric of this canonical name:
// a fixed name within its releases; the job-status gauges from 1.15
// (JobStatusMetrics); the GC `All` group and `<collector>.TimeMsPerSecond`
// from 1.19; the FLIP-27 Kafka source's `KafkaSourceReader` group from
// 1.14. Other members of known groups, and names the catalog does not
// know, are taken as registered: the catalog bounds only what it knows to
// change between releases.
bool RegisteredIn(std::string_view canonical, Release release);

// Cumulative, by canonical name: the fixed counters, GC collectors'
// Count/Time, `<status>TimeTotal`, a meter's `_count`, Kafka client
// `-total` figures.
bool IsCounter(std::string_view canonical);
// A rate already: `…PerSecond`, `…_rate`.
bool IsMeter(std::string_view canonical);
// Flink's "not defined yet" values, not readings: -1 for event-time lags
// and Kinesis' millisBehindLatest, Long.MIN_VALUE for watermarks before
// the first one.
bool IsUndefinedValue(std::string_view canonical, double value);

}  // namespace vitals::flink
