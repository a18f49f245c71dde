#include "common/aggregate/series_merge.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace vitals::aggregate {

void MergeInto(v1::SeriesAggregate& into, const v1::SeriesAggregate& from) {
  if (into.metric().empty()) {  // an empty target takes the identity too
    into = from;
    return;
  }
  if (into.kind() == v1::METRIC_KIND_UNSPECIFIED) into.set_kind(from.kind());
  into.set_baselined(into.baselined() + from.baselined());
  if (from.count() == 0) return;
  if (into.count() == 0) {
    into.set_min(from.min());
    into.set_max(from.max());
  } else {
    into.set_min(std::min(into.min(), from.min()));
    into.set_max(std::max(into.max(), from.max()));
  }
  into.set_count(into.count() + from.count());
  into.set_sum(into.sum() + from.sum());
  into.set_sum_squares(into.sum_squares() + from.sum_squares());
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
