#pragma once

// The open (not yet closed) intervals of one job. Gateways publish each
// interval independently and in any order; batches of the same interval are
// merged series by series (the rules of aggregate::MergeInto) until the
// interval's end plus a grace period has passed, then the interval closes
// and is handed to the dimensions exactly once. A batch for an interval that
// already closed is late and dropped: counting it would change a figure that
// has already been published.
//
// A job reports the same series every interval, so the window keeps what
// does not change: each series identity (scope, canonical metric, labels)
// the dimensions read gets a slot once, and every interval merges into one
// reusable SeriesAggregate per slot, its identity already written. Merging a
// batch then writes numbers only: no message, string or map is built per
// interval once the job's series are known. Series arrive in the order the
// gateway's aggregator keeps them, so each slot remembers which slot came
// after it; the next series is compared with that guess first, and only a
// miss (a new series, another order) pays for a hash lookup. Slots of
// series not seen for kForgetAfterIntervals intervals are reused.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "scorer/window/batch_decoder.h"
#include "scorer/window/merged_interval.h"
#include "scorer/window/metric_selector.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

class IntervalWindow : private SeriesResolver {
 public:
  enum class AddResult {
    kAccepted,
    // The interval already closed.
    kLate,
    // The same gateway's batch (same part) was merged already: Kafka
    // redelivered it, and merging it twice would double every counter.
    kDuplicate,
    // Too many open intervals (a gateway clock far ahead): refused.
    kOverflow,
    // Not a MetricBatch (AddSerialized only).
    kMalformed,
  };

  // A slot unused this long (in intervals of the job) is forgotten.
  static constexpr int64_t kForgetAfterIntervals = 30;

  // `selector` must outlive the window.
  explicit IntervalWindow(const MetricSelector* selector, size_t max_open_intervals = 64);
  ~IntervalWindow() override;
  IntervalWindow(const IntervalWindow&) = delete;
  IntervalWindow& operator=(const IntervalWindow&) = delete;

  // Merges the series the selector wants; nothing of the batch is kept.
  // `decoder` has read a batch's header (BatchDecoder::DecodeHeader); its
  // series are decoded here, with what the window knows of them, and the
  // result is kMalformed when they are not what protobuf would accept.
  AddResult Add(BatchDecoder& decoder);
  AddResult Add(const v1::MetricBatch& batch);
  // Decodes a serialized MetricBatch (a `flink.metrics` record), then as
  // above.
  AddResult AddSerialized(std::string_view bytes);

  // Closes, oldest first, every open interval whose end + grace <= now_ms.
  std::vector<MergedInterval> Close(int64_t now_ms, absl::Duration grace);

  // Intervals starting before this are late (the end of the newest closed
  // interval, or what a restored state says was published).
  int64_t closed_until_ms() const { return closed_until_ms_; }
  void set_closed_until_ms(int64_t ms) { closed_until_ms_ = ms; }
  size_t open_intervals() const { return open_.size(); }
  // Series identities remembered (tests).
  size_t known_series() const { return index_.size(); }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  // One series identity the dimensions read.
  struct Slot {
    int32_t scope = 0;
    std::string metric;  // canonical
    std::vector<std::pair<std::string, std::string>> labels;
    size_t hash = 0;
    // Changes whenever the slot takes another identity.
    uint32_t generation = 0;
    // The slot merged after this one last time: the guess for the next.
    uint32_t next = kNone;
    // The series' fields 1–3 as gateways wrote them lately (see
    // SeriesResolver), the newest at `newest_prefix`.
    std::string prefixes[2];
    uint8_t prefix_count = 0;
    uint8_t newest_prefix = 0;
    // Start of the newest interval merged into.
    int64_t last_start_ms = 0;
    bool live = false;
  };
  // A series as looked up: the canonical metric, labels as they came.
  struct Probe {
    int32_t scope;
    std::string_view metric;
    std::span<const LabelRef> labels;
    size_t hash;
  };
  // Hash and equality of slot indexes and probes, over `slots_`.
  struct SlotHash {
    using is_transparent = void;
    const std::vector<Slot>* slots;
    size_t operator()(uint32_t i) const { return (*slots)[i].hash; }
    size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct SlotEq {
    using is_transparent = void;
    const std::vector<Slot>* slots;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, const Probe& p) const { return Matches((*slots)[a], p); }
    bool operator()(const Probe& p, uint32_t a) const { return Matches((*slots)[a], p); }
  };

  // One interval's merged series, by slot; reused from interval to
  // interval. Each SeriesAggregate keeps the identity of its slot's
  // generation in `generation`.
  struct Buffer {
    std::vector<std::unique_ptr<v1::SeriesAggregate>> series;
    std::vector<uint32_t> generation;
    std::vector<uint8_t> merged;
    std::vector<uint32_t> used;  // slots merged into, in order
    void Reset();
  };
  struct Pool {
    std::vector<std::unique_ptr<Buffer>> free;
  };
  class Lease;

  struct Open {
    int64_t length_ms = 0;
    std::string job_id;
    std::string cluster;
    ProcessSharing sharing;
    std::unique_ptr<Buffer> buffer;
    std::vector<std::pair<std::string, uint32_t>> seen;  // (gateway, part)
  };

  // SeriesResolver.
  void BeginBatch() override { previous_ = kNone; }
  uint32_t Guess(std::span<const std::string>* prefixes) override;
  void Hit(uint32_t slot) override { Follow(slot); }
  uint32_t Resolve(const SeriesView& series, std::string_view prefix) override;

  // What follows the previous series, as far as the window knows.
  uint32_t Expected() const;
  // `slot` came after the previous series.
  void Follow(uint32_t slot);
  // Merges the batch the decoder holds; `resolved`: its series carry the
  // window's slots.
  AddResult Take(const BatchDecoder& decoded, bool resolved);

  static bool Matches(const Slot& slot, const Probe& probe);
  static bool Matches(const Slot& slot, int32_t scope, std::string_view metric,
                      std::span<const LabelRef> labels);
  // The slot of `series` by its identity, kNone when the selector does not
  // want it.
  uint32_t Lookup(const SeriesView& series);
  void Merge(Buffer& buffer, uint32_t slot, const SeriesView& series);
  // Forgets the slots no interval since `before_ms` used.
  void Forget(int64_t before_ms);

  const MetricSelector* selector_;
  size_t max_open_intervals_;
  int64_t closed_until_ms_ = 0;
  std::map<int64_t, Open> open_;  // by interval start
  std::vector<Slot> slots_;
  absl::flat_hash_set<uint32_t, SlotHash, SlotEq> index_;
  std::vector<uint32_t> free_slots_;
  // The live slots in MetricBefore order of their metric, rebuilt when
  // `by_metric_stale_`: closing an interval lists its series in it.
  std::vector<uint32_t> by_metric_;
  bool by_metric_stale_ = false;
  uint32_t generations_ = 0;
  // The slot of the first series of the last batch.
  uint32_t first_ = kNone;
  // The slot of the series before, in the batch being read.
  uint32_t previous_ = kNone;
  std::string canonical_;  // scratch
  std::shared_ptr<Pool> pool_;
};

}  // namespace vitals::scorer
