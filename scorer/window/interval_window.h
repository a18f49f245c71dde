#pragma once

// The open (not yet closed) intervals of one job. Gateways publish each
// interval independently and in any order; batches of the same interval are
// merged series by series (aggregate::MergeInto) until the interval's end
// plus a grace period has passed, then the interval closes and is handed to
// the dimensions exactly once. A batch for an interval that already closed
// is late and dropped: counting it would change a figure that has already
// been published.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "scorer/window/merged_interval.h"
#include "scorer/window/metric_selector.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

// Whether two aggregates are of the same series: scope, metric and labels
// (the identity aggregate::SeriesKey spells out), compared in place.
bool SameSeries(const v1::SeriesAggregate& a, const v1::SeriesAggregate& b);
// A hash of that identity, independent of label order.
size_t SeriesHash(const v1::SeriesAggregate& s);

class IntervalWindow {
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

  // `selector` must outlive the window.
  explicit IntervalWindow(const MetricSelector* selector, size_t max_open_intervals = 64);

  // Takes the batch over: its series are merged in place, not copied.
  AddResult Add(v1::MetricBatch&& batch);
  // Copies the series the selector wants, then as above.
  AddResult Add(const v1::MetricBatch& batch);
  // Decodes a serialized MetricBatch (a `flink.metrics` record) onto an
  // arena of its own: the cheapest way in, as the batch is then allocated
  // and freed in a few blocks. `decoded`, when given and the batch is
  // accepted, points to it until its interval closes.
  AddResult AddSerialized(std::string_view bytes, const v1::MetricBatch** decoded = nullptr);

  // Closes, oldest first, every open interval whose end + grace <= now_ms.
  std::vector<MergedInterval> Close(int64_t now_ms, absl::Duration grace);

  // Intervals starting before this are late (the end of the newest closed
  // interval, or what a restored state says was published).
  int64_t closed_until_ms() const { return closed_until_ms_; }
  void set_closed_until_ms(int64_t ms) { closed_until_ms_ = ms; }
  size_t open_intervals() const { return open_.size(); }

 private:
  struct Open {
    int64_t length_ms = 0;
    std::string job_id;
    std::string cluster;
    ProcessSharing sharing;
    // The batches, owned: the first series of each identity is merged
    // into in place, so a series is never copied.
    std::vector<OwnedBatch> batches;
    std::vector<v1::SeriesAggregate*> series;
    // SeriesHash → index of the first series with it; `next` chains the
    // (rare) others with the same hash.
    absl::flat_hash_map<size_t, uint32_t> by_hash;
    std::vector<uint32_t> next;
    std::vector<std::pair<std::string, uint32_t>> seen;  // (gateway, part)
  };

  AddResult Take(OwnedBatch owned);
  void Merge(Open& open, v1::SeriesAggregate* series);

  const MetricSelector* selector_;
  size_t max_open_intervals_;
  int64_t closed_until_ms_ = 0;
  std::map<int64_t, Open> open_;  // by interval start
};

}  // namespace vitals::scorer
