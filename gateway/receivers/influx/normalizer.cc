#include "gateway/receivers/influx/normalizer.h"

#include <algorithm>
#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/cluster_name.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"
#include "gateway/receivers/promtext/normalizer.h"

namespace vitals::gateway {
namespace {

struct HistogramField {
  std::string_view key;
  // The Prometheus path's summary sample for it (PrometheusReporter spells
  // min and max as the quantiles "0.0" and "1.0").
  std::string_view quantile;
};

constexpr std::array<HistogramField, 11> kHistogramFields = {{
    {"run-count", "count"},
    {"min", "0.0"},
    {"max", "1.0"},
    {"mean", "mean"},
    {"std-dev", "stddev"},
    {"50-percentile", "0.5"},
    {"75-percentile", "0.75"},
    {"95-percentile", "0.95"},
    {"98-percentile", "0.98"},
    {"99-percentile", "0.99"},
    {"999-percentile", "0.999"},
}};

// A field's value as a number; false for text. Flink writes a boolean
// gauge through String.valueOf, so "true"/"false" are booleans here.
bool NumericValue(const InfluxField& field, double* out) {
  switch (field.type) {
    case InfluxFieldType::kFloat:
      *out = field.float_value;
      return true;
    case InfluxFieldType::kInteger:
      *out = static_cast<double>(field.int_value);
      return true;
    case InfluxFieldType::kUnsigned:
      *out = static_cast<double>(field.uint_value);
      return true;
    case InfluxFieldType::kBoolean:
      *out = field.bool_value ? 1 : 0;
      return true;
    case InfluxFieldType::kString:
      if (field.string_value == "true") {
        *out = 1;
        return true;
      }
      if (field.string_value == "false") {
        *out = 0;
        return true;
      }
      return false;
  }
  return false;
}

}  // namespace

InfluxNormalizer::InfluxNormalizer(FlinkSampleSink* next, InfluxNormalizerOptions options)
    : next_(next), options_(std::move(options)) {}

void InfluxNormalizer::Begin(std::string_view source, int64_t now_ms) {
  source_.assign(source);
  now_ms_ = now_ms;
}

std::string_view InfluxNormalizer::Filtered(std::string_view value) {
  if (IsLabelValueSafe(value)) return value;
  std::string& copy = scratch_.emplace_back(value);
  FilterLabelValue(copy);
  return copy;
}

void InfluxNormalizer::NameCluster(std::string_view tag) {
  const bool named = ClusterNameProblem(tag).empty();
  if (named && options_.cluster_override) {
    current_.cluster = tag;
  } else if (!named || tag != options_.configured_cluster) {
    ++stats_.clusters_ignored;
  }
}

void InfluxNormalizer::OnPoint(const InfluxPoint& point) {
  ++stats_.points;
  scratch_.clear();
  labels_.clear();
  current_ = FlinkSample{};
  current_.source = source_;
  current_.timestamp_ms = now_ms_;

  for (const LabelView& tag : point.tags) {
    const std::string_view name = Filtered(tag.name);
    const std::string_view value = Filtered(tag.value);
    if (name == "job_id") {
      current_.job_id = value;
    } else if (name == "job_name") {
      current_.job_name = value;
    } else {
      // Compared unfiltered: filtering would make `k8s-prod` another
      // cluster (`k8s_prod`).
      if (name == options_.cluster_tag) NameCluster(tag.value);
      labels_.push_back({name, value});
    }
  }
  std::sort(labels_.begin(), labels_.end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  current_.labels = labels_;

  // The measurement is the Prometheus family without `flink_`: the same
  // scope rules (including the labels check) apply.
  family_.assign("flink_");
  family_.append(point.measurement);
  std::string_view metric;
  if (SplitFlinkFamily(family_, point.tags, &current_.scope, &metric)) {
    metric_.assign(metric);
  } else {
    current_.scope = v1::SCOPE_UNSPECIFIED;
    metric_.assign(point.measurement);
  }
  FilterPromChars(metric_);

  bool meter = false;
  bool histogram = false;
  for (const InfluxField& field : point.fields) {
    meter |= field.key == "rate";
    histogram |= field.key == "run-count" || absl::EndsWith(AsAbsl(field.key), "-percentile");
  }

  for (const InfluxField& field : point.fields) {
    double value;
    if (!NumericValue(field, &value)) {
      ++stats_.text_values;
      continue;
    }
    if (histogram) {
      if (field.key == "count") {
        ++stats_.window_sizes;
        continue;
      }
      const auto it = std::find_if(kHistogramFields.begin(), kHistogramFields.end(),
                                   [&](const HistogramField& h) { return h.key == field.key; });
      if (it != kHistogramFields.end()) {
        Sample(metric_, value, SampleType::kSummary, it->quantile);
        continue;
      }
    } else if (field.key == "value" || (meter && field.key == "rate")) {
      Sample(metric_, value, SampleType::kGauge, {});
      continue;
    } else if (field.key == "count") {
      if (!meter) {
        // A Flink Counter: the one format that says so.
        Sample(metric_, value, SampleType::kCounter, {});
      } else if (options_.meter_counts) {
        field_metric_ = absl::StrCat(metric_, "_count");
        Sample(field_metric_, value, SampleType::kCounter, {});
      } else {
        ++stats_.meter_counts;
      }
      continue;
    }
    // A field Flink does not write (another writer's point): its own metric.
    std::string key(field.key);
    FilterPromChars(key);
    field_metric_ = absl::StrCat(metric_, "_", key);
    Sample(field_metric_, value, SampleType::kGauge, {});
  }
}

void InfluxNormalizer::Sample(std::string_view metric, double value, SampleType type,
                              std::string_view quantile) {
  current_.metric = metric;
  current_.value = value;
  current_.type = type;
  current_.quantile = quantile;
  ++stats_.samples;
  next_->OnFlinkSample(current_);
}

}  // namespace vitals::gateway
