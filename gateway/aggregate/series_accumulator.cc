#include "gateway/aggregate/series_accumulator.h"

#include <algorithm>

namespace vitals::gateway {

void SeriesAccumulator::AddValue(double value, int64_t timestamp_ms) {
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  sum_ += value;
  sum_squares_ += value * value;
  if (count_ == 1 || timestamp_ms >= last_timestamp_ms_) {
    last_ = value;
    last_timestamp_ms_ = timestamp_ms;
  }
}

void SeriesAccumulator::AddInstance(std::string_view instance, double value) {
  instances_.emplace_back(std::string(instance), value);
}

void SeriesAccumulator::AddSummary(std::span<const QuantileValue> quantiles) {
  if (quantiles.empty()) return;
  double lo = quantiles.front().value;
  double hi = lo;
  for (const QuantileValue& q : quantiles) {
    lo = std::min(lo, q.value);
    hi = std::max(hi, q.value);
    auto it = std::find_if(quantile_max_.begin(), quantile_max_.end(),
                           [&](const auto& entry) { return entry.first == q.quantile; });
    if (it == quantile_max_.end()) {
      quantile_max_.emplace_back(std::string(q.quantile), q.value);
    } else {
      it->second = std::max(it->second, q.value);
    }
  }
  if (count_ == 0) {
    min_ = lo;
    max_ = hi;
  } else {
    min_ = std::min(min_, lo);
    max_ = std::max(max_, hi);
  }
  ++count_;
}

void SeriesAccumulator::WriteTo(v1::SeriesAggregate& out) const {
  out.set_count(count_);
  out.set_baselined(baselined_);
  out.set_sum(sum_);
  out.set_sum_squares(sum_squares_);
  out.set_min(min_);
  out.set_max(max_);
  out.set_last(last_);
  out.set_last_timestamp_ms(last_timestamp_ms_);
  for (const auto& [instance, value] : instances_) {
    v1::InstanceValue* entry = out.add_instances();
    entry->set_instance(instance);
    entry->set_value(value);
  }
  for (const auto& [quantile, value] : quantile_max_) {
    (*out.mutable_quantile_max())[quantile] = value;
  }
}

}  // namespace vitals::gateway
