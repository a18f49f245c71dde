#include "common/aggregate/series_merge.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace vitals::aggregate {

void MergeInto(v1::SeriesAggregate& into, const v1::SeriesAggregate& from) {
  if (from.count() == 0 && from.baselined() == 0) return;
  if (into.count() == 0) {
    const uint64_t baselined = into.baselined();
    const bool had_identity = !into.metric().empty();
    if (!had_identity) {
      into = from;
      return;
    }
    into.set_kind(into.kind() == v1::METRIC_KIND_UNSPECIFIED ? from.kind() : into.kind());
    into.set_count(from.count());
    into.set_sum(from.sum());
    into.set_sum_squares(from.sum_squares());
    into.set_min(from.min());
    into.set_max(from.max());
    into.set_last(from.last());
    into.set_last_timestamp_ms(from.last_timestamp_ms());
    *into.mutable_instances() = from.instances();
    *into.mutable_quantile_max() = from.quantile_max();
    into.set_baselined(baselined + from.baselined());
    return;
  }
  into.set_baselined(into.baselined() + from.baselined());
  if (from.count() == 0) return;
  into.set_count(into.count() + from.count());
  into.set_sum(into.sum() + from.sum());
  into.set_sum_squares(into.sum_squares() + from.sum_squares());
  into.set_min(std::min(into.min(), from.min()));
  into.set_max(std::max(into.max(), from.max()));
  if (from.last_timestamp_ms() >= into.last_timestamp_ms()) {
    into.set_last(from.last());
    into.set_last_timestamp_ms(from.last_timestamp_ms());
  }
  into.mutable_instances()->MergeFrom(from.instances());
  for (const auto& [quantile, value] : from.quantile_max()) {
    auto [it, inserted] = into.mutable_quantile_max()->try_emplace(quantile, value);
    if (!inserted) it->second = std::max(it->second, value);
  }
}

std::string SeriesKey(const v1::SeriesAggregate& series) {
  // protobuf maps iterate in no fixed order; sort for a stable key.
  std::map<std::string, std::string> labels(series.labels().begin(), series.labels().end());
  std::string key = absl::StrCat(static_cast<int>(series.scope()), "\x1f", series.metric());
  for (const auto& [name, value] : labels) absl::StrAppend(&key, "\x1f", name, "=", value);
  return key;
}

}  // namespace vitals::aggregate
