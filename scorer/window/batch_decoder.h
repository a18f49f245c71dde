#pragma once

// The scorer's reader of `flink.metrics` records (vitals.v1.MetricBatch),
// written for ingest speed: one pass over the bytes, every string a view
// into the record, no allocation once its scratch space has grown. It
// accepts and refuses exactly what protobuf's generated parser
// (MetricBatch::ParseFromArray) does — the same wire rules, the UTF-8 check
// of every string field, the nesting limit of 100 — and reads the same
// values: the last occurrence of a singular field or map key wins, fields it
// does not know are skipped as protobuf skips them. The unit test and the
// fuzz target (test/fuzz/metric_batch_fuzzer.cc) hold it to that against
// protobuf itself.
//
// Protobuf's parser spends most of its time building what the scorer then
// throws away: a map node and two heap strings per label, a message per
// series, an arena to free. The scorer merges the views straight into its
// own series (IntervalWindow) and keeps nothing of the record.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

struct LabelRef {
  std::string_view name;
  std::string_view value;
};

struct InstanceRef {
  std::string_view instance;
  double value = 0;
};

struct QuantileRef {
  std::string_view quantile;
  double value = 0;
};

// One SeriesAggregate (see metrics.proto for the meaning of each field).
struct SeriesView {
  // Where a SeriesResolver put it (kNoSlot: nowhere, or no resolver). A
  // series the resolver recognised by its first bytes carries only its
  // slot and figures: scope, metric and labels are left empty.
  uint32_t slot = UINT32_MAX;
  // v1::Scope and v1::MetricKind are open enums: any value may arrive.
  int32_t scope = 0;
  std::string_view metric;
  // Distinct names (map semantics: a repeated name keeps its last value),
  // in no particular order.
  std::span<const LabelRef> labels;
  int32_t kind = 0;
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double last = 0;
  int64_t last_timestamp_ms = 0;
  double sum_squares = 0;
  std::span<const InstanceRef> instances;
  // Distinct quantiles, as labels.
  std::span<const QuantileRef> quantile_max;
  uint64_t baselined = 0;
};

// A MetricBatch's own fields.
struct BatchHeader {
  std::string_view gateway;
  std::string_view cluster;
  int64_t interval_start_ms = 0;
  int64_t interval_length_ms = 0;
  std::string_view job_id;
  std::string_view job_name;
  std::string_view tenant;
  uint32_t part = 0;
  uint32_t parts = 0;
  // Distinct names, as SeriesView::labels.
  std::span<const LabelRef> job_labels;
  uint32_t processes = 0;
  uint32_t shared_processes = 0;
  uint32_t max_jobs_per_process = 0;
};

// What a reader that keeps series from batch to batch (IntervalWindow)
// tells the decoder, so that a series it has seen before costs a compare of
// bytes rather than a parse and UTF-8 check of its identity: the bytes of
// its fields 1–3 (scope, metric, labels), as one gateway wrote them last
// time, equal this time's. (Fields protobuf writes in field order; a
// series whose identity fields are not all in front is always parsed.)
class SeriesResolver {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  virtual ~SeriesResolver() = default;
  // Before the first series of a batch.
  virtual void BeginBatch() = 0;
  // The slot the next series probably belongs in, and the identity
  // prefixes it arrived with lately; kNoSlot when there is no guess.
  virtual uint32_t Guess(std::span<const std::string>* prefixes) = 0;
  // The next series began with one of the guessed slot's prefixes.
  virtual void Hit(uint32_t slot) = 0;
  // The next series, read in full: its slot, kNoSlot when not wanted.
  // `prefix` holds its identity fields as written, empty when they were
  // not all in front.
  virtual uint32_t Resolve(const SeriesView& series, std::string_view prefix) = 0;
};

class BatchDecoder {
 public:
  // Reads a serialized MetricBatch. False when protobuf would refuse the
  // bytes. The views stay valid while `bytes` lives and until the next
  // Decode or Load.
  bool Decode(std::string_view bytes);
  // The same in two steps: the batch's own fields (the series only
  // delimited), then its series, each given its slot by `resolver` (may
  // be null). Protobuf refuses the bytes when either step fails.
  bool DecodeHeader(std::string_view bytes);
  bool DecodeSeries(SeriesResolver* resolver);
  // A temporary would leave every view dangling.
  bool Decode(std::string&& bytes) = delete;
  bool DecodeHeader(std::string&& bytes) = delete;
  // The same views over a message (which must outlive them).
  void Load(const v1::MetricBatch& batch);

  const BatchHeader& header() const { return header_; }
  std::span<const SeriesView> series() const { return {series_.data(), series_size_}; }

  // What was read, as a message (tests, tools).
  void ToMessage(v1::MetricBatch* out) const;

 private:
  // Offsets into the scratch arrays while they may still grow.
  struct Ranges {
    uint32_t labels_begin = 0, labels_end = 0;
    uint32_t instances_begin = 0, instances_end = 0;
    uint32_t quantiles_begin = 0, quantiles_end = 0;
  };

  void Clear();
  void ClearSeries();
  SeriesView& NewSeries();
  // Points the views' spans into the scratch arrays.
  void Bind();

  BatchHeader header_;
  bool header_ok_ = false;
  std::vector<std::string_view> spans_;  // each series' bytes
  // Storage reused from batch to batch: every field of the first
  // `series_size_` is written.
  std::vector<SeriesView> series_;
  size_t series_size_ = 0;
  std::vector<Ranges> ranges_;
  std::vector<LabelRef> labels_;
  std::vector<LabelRef> job_labels_;
  std::vector<InstanceRef> instances_;
  std::vector<QuantileRef> quantiles_;

  friend class WireParser;
};

// Whether `bytes` is UTF-8 as protobuf's parser checks it (no overlong
// forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace vitals::scorer
