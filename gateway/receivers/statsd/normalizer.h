#pragma once

// Maps the lines of Flink's StatsDReporter onto Flink identities, so that a
// job reporting over StatsD folds into the same series as one pushing
// Prometheus text. What it has to undo (docs in
// gateway/receivers/statsd/README.md):
//
// - The identifier is the scope format's variables joined by the delimiter,
//   then the metric: ScopeParser reads it back (scope, variables, metric);
//   the result is cached per identifier, since identifiers repeat every
//   report.
// - StatsDReporter appends `.rate`/`.count` to meters and
//   `.count .min .max .mean .stddev .p50 … .p999` to histograms. A meter's
//   rate becomes the gauge PrometheusReporter writes for it; its count is
//   dropped (PrometheusReporter does not export it, and the counter it
//   shadows is reported on its own) unless `meter_counts` keeps it as
//   `<meter>_count`. Histogram statistics become summary samples with the
//   Prometheus path's quantiles ("0.0" = min … "1.0" = max, "count") plus
//   "mean" and "stddev".
// - Key/value groups (`KafkaSourceReader.topic.<t>.partition.<p>`,
//   `latency.source_id.<id>…`) put the key into the metric name and the
//   value into a label, as the tag-based reporters do.
// - Flink 1.14+ sends every numeric gauge twice, and `x:0|g` before a
//   negative value. Both come back to back from one sender: a repeat is
//   dropped, and a `0` is held until the sender's next line shows whether
//   it was the reset of a negative value (then it is dropped) or a reading.
// - Process-level lines (JobManager, TaskManager) name no job and leave
//   without one: process attribution (gateway/attribute/) gives them to the
//   jobs the same sender's job-scoped lines name.
//
// Not thread-safe: one per receiving thread. Each sender's lines must reach
// the same instance in order (one socket per thread, SO_REUSEPORT hashes a
// sender to one socket).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/statsd/parser.h"
#include "gateway/receivers/statsd/scope_format.h"

namespace vitals::gateway {

struct StatsdNormalizerOptions {
  // Flink's metrics.scope.* formats and delimiter (Flink's defaults).
  FlinkScopeFormats scope_formats;
  // Keys of Flink's key/value metric groups (`addGroup(key, value)`): in a
  // metric path, such a key followed by a value and more path becomes a
  // label. The value runs to the next listed key, or is one token.
  std::vector<std::string> key_value_keys = {"topic",       "partition",
                                             "source_id",   "source_subtask_index",
                                             "operator_id", "operator_subtask_index"};
  // Keep a meter's `.count` as `<meter>_count` (a counter) instead of
  // dropping it like PrometheusReporter does.
  bool meter_counts = false;
  // Bounds of the per-identifier and per-sender caches; when full they are
  // cleared (and refill in one report).
  size_t max_identifiers = 1 << 18;
  size_t max_senders = 1 << 16;
  // A `0` whose sender sends nothing more is a reading after this long.
  int64_t hold_ms = 100;
  // The same value for the same identifier from the same sender within
  // this window is Flink's repeat, not a new reading.
  int64_t repeat_window_ms = 1000;
};

// Cumulative counts, read by the receiver for its self-metrics.
struct StatsdNormalizerStats {
  uint64_t lines = 0;    // accepted: gauges whose identifier was read
  uint64_t samples = 0;  // FlinkSamples emitted
  // Refused lines, by reason (gateway/receivers/statsd/README.md).
  uint64_t rejected_text = 0;    // value not a number: Flink's booleans and strings
  uint64_t rejected_syntax = 0;  // any other parser rejection
  uint64_t rejected_scope = 0;   // identifier fits no scope format, or ambiguously
  uint64_t rejected_type = 0;    // not a gauge: Flink only sends `|g`
  // Dropped by design.
  uint64_t repeats = 0;            // Flink's second copy of a gauge
  uint64_t reset_zeros = 0;        // `x:0|g` sent before a negative value
  uint64_t meter_counts = 0;       // a meter's `.count` (without meter_counts)
  uint64_t identifier_parses = 0;  // cache misses
  uint64_t cache_clears = 0;
};

class StatsdNormalizer : public StatsdSink {
 public:
  // InvalidArgument for scope formats Flink itself would refuse.
  static absl::StatusOr<std::unique_ptr<StatsdNormalizer>> Create(StatsdNormalizerOptions options,
                                                                  FlinkSampleSink* next);
  ~StatsdNormalizer() override;

  // Before each datagram: who sent it (an address, stable for a Flink
  // process's reporter) and when it arrived.
  void BeginDatagram(std::string_view sender, int64_t now_ms) {
    BeginDatagram(
        sender, [sender] { return std::string(sender); }, now_ms);
  }
  // The same with the sender as a key (any bytes, e.g. its socket address
  // in binary) and its name formatted by `name` only when the key is new:
  // what a receiver calls per datagram.
  void BeginDatagram(std::string_view key, absl::FunctionRef<std::string()> name, int64_t now_ms);

  void OnMetric(const StatsdMetric& metric) override;
  void OnReject(size_t line, std::string_view reason) override;

  // Emits the held `0` lines older than hold_ms as of `now_ms` (as
  // readings, stamped with their arrival time); INT64_MAX releases all.
  // Returns how many were emitted.
  size_t ReleaseHeld(int64_t now_ms);
  bool has_held() const { return held_count_ > 0; }

  const StatsdNormalizerStats& stats() const { return stats_; }
  size_t cached_identifiers() const { return identities_.size(); }

  struct Identity;  // opaque; public only for normalizer.cc's helpers

 private:
  struct Sender;

  StatsdNormalizer(StatsdNormalizerOptions options, ScopeParser parser, FlinkSampleSink* next);

  Identity& Lookup(std::string_view identifier, Sender& sender);
  std::string_view Intern(std::string_view s);
  void Parse(std::string_view identifier, Identity& id);
  Sender& SenderFor(std::string_view key, absl::FunctionRef<std::string()> name);
  void Emit(Identity& id, Sender& sender, const StatsdMetric* metric, double value,
            int64_t timestamp_ms);
  void EmitHeld(Sender& sender);
  bool IsMeter(Identity& id);
  void ClearIdentities();
  void ClearSenders();

  StatsdNormalizerOptions options_;
  ScopeParser scope_parser_;
  FlinkSampleSink* next_;

  struct FreeIdentity {
    void operator()(Identity* id) const;
  };
  // Each identity is one allocation holding its identifier (the map's key
  // views it); senders hold pointers to identities, samples to senders. A
  // sender repeats its identifiers in the same order every report, so each
  // identity remembers the one its sender sent next: most lines cost one
  // compare with that guess (already prefetched) instead of a hash lookup.
  absl::flat_hash_map<std::string_view, std::unique_ptr<Identity, FreeIdentity>> identities_;
  absl::node_hash_map<std::string, Sender> senders_;
  // The strings of identities (metric names, label names and values, job
  // names), once each: the identities of a process share its host, tm_id
  // and job, so what a line reads besides its identity stays in cache.
  // Cleared with the identities.
  absl::node_hash_set<std::string> strings_;
  // Identifiers (without `.rate`) of meters seen: tells a meter's `.count`
  // from a histogram's.
  absl::flat_hash_set<std::string> meter_bases_;
  // Senders holding a `0`; entries whose hold was resolved are skipped.
  std::vector<Sender*> holding_;
  size_t held_count_ = 0;

  // The current datagram.
  Sender* sender_ = nullptr;
  int64_t now_ms_ = 0;

  std::vector<LabelView> labels_;  // scratch: identity labels plus DogStatsD tags
  std::deque<std::string> tags_;   // scratch: filtered tag names and values
  StatsdNormalizerStats stats_;
};

}  // namespace vitals::gateway
