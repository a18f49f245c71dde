#pragma once

// What every health dimension shares: its config, its per-interval samples
// over the sliding window, and the walk over the samples it judges with the
// UNKNOWN grade when they are too few. A dimension then says only what is
// its own: the metrics it reads (DeclareReads), the sample it keeps of an
// interval (Observe, then Keep), and how its figures grade and read
// (Score).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "scorer/dimensions/dimension.h"
#include "scorer/dimensions/figure.h"
#include "scorer/window/merged_interval.h"
#include "scorer/window/sample_window.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// Why a dimension has fewer than `min_intervals` intervals to judge: one
// that waits for the warm-up says when a warm-up under way ends, as its
// data is not missing but not yet trusted; otherwise `no_data`.
std::string NotEnoughDataReason(const EvalContext& ctx, bool waits_for_warmup,
                                std::string_view no_data);

// `Config` has a `weight`; `Sample` is what the dimension keeps of one
// interval.
template <typename Config, typename Sample>
class WindowedDimension : public Dimension {
 public:
  using Entry = typename SampleWindow<Sample>::Entry;

  std::string_view name() const override { return name_; }
  double weight() const override { return config_->weight; }
  void Trim(int64_t window_start_ms) override { samples_.DropBefore(window_start_ms); }

 protected:
  // `name` and `config` must outlive the dimension.
  WindowedDimension(std::string_view name, const Config* config) : name_(name), config_(config) {}

  const Config& config() const { return *config_; }

  // Keeps `sample` for the window. Observe keeps none for an interval
  // without the dimension's metrics, so that it does not count as data.
  void Keep(const MergedInterval& interval, Sample sample) {
    samples_.Push(interval.start_ms(), interval.end_ms(), std::move(sample));
  }

  // The judged samples are the window's, less those of intervals inside a
  // warm-up when the dimension waits for it. Calls `visit(entry)` on each,
  // oldest first, and returns how many there were: one walk, as Score runs
  // for every job after every interval.
  template <typename Visit>
  uint32_t ForEachJudged(const EvalContext& ctx, Visit&& visit) const {
    const bool skip_warmup = waits_for_warmup();
    uint32_t judged = 0;
    for (const Entry& e : samples_) {
      if (skip_warmup && !ctx.Settled(e.start_ms)) continue;
      visit(e);
      ++judged;
    }
    return judged;
  }

  // One figure over the judged samples: `field` reads it from a sample (a
  // member pointer or a callable; the sample itself by default).
  template <typename Field = std::identity>
  Figure FigureOf(const EvalContext& ctx, Field field = {}) const {
    Figure figure;
    ForEachJudged(ctx, [&](const Entry& e) { figure.Add(std::invoke(field, e.value)); });
    return figure;
  }

  // Null when there is none.
  const Entry* NewestJudged(const EvalContext& ctx) const {
    const bool skip_warmup = waits_for_warmup();
    for (auto it = samples_.rbegin(); it != samples_.rend(); ++it) {
      if (!skip_warmup || ctx.Settled(it->start_ms)) return &*it;
    }
    return nullptr;
  }

  // The grade when fewer than ctx.min_intervals intervals had data;
  // `no_data` names the metrics that were missing.
  v1::DimensionScore NotEnoughData(const EvalContext& ctx, std::string_view no_data) const {
    return UnknownGrade(name(), weight(), NotEnoughDataReason(ctx, waits_for_warmup(), no_data));
  }

 private:
  std::string_view name_;
  const Config* config_;
  SampleWindow<Sample> samples_;
};

}  // namespace vitals::scorer
