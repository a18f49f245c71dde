#include "gateway/aggregate/aggregator_config.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vitals::gateway {
namespace {

void CheckNames(std::string_view key, const std::vector<std::string>& names,
                std::vector<std::pair<std::string, std::string>>* problems) {
  absl::flat_hash_set<std::string> seen;
  for (const std::string& name : names) {
    if (name.empty()) {
      problems->emplace_back(std::string(key), "names must not be empty");
      return;
    }
    if (!seen.insert(name).second) {
      problems->emplace_back(std::string(key), absl::StrCat("'", name, "' is listed twice"));
      return;
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> AggregatorConfig::Problems() const {
  std::vector<std::pair<std::string, std::string>> problems;
  if (interval < absl::Milliseconds(100) || interval > absl::Hours(1) ||
      interval != absl::Milliseconds(interval_ms())) {
    problems.emplace_back("interval", "must be whole milliseconds between 100ms and 1h");
  }
  if (shards < 1 || shards > 4096) problems.emplace_back("shards", "must be between 1 and 4096");
  if (max_series < 1) problems.emplace_back("max_series", "must be at least 1");
  if (max_series_per_job < 1) problems.emplace_back("max_series_per_job", "must be at least 1");
  if (expire_after_intervals < 1) {
    problems.emplace_back("expire_after_intervals", "must be at least 1");
  }
  CheckNames("fold_labels", fold_labels, &problems);
  CheckNames("raw_metrics", raw_metrics, &problems);
  CheckNames("instance_metrics", instance_metrics, &problems);
  CheckNames("cumulative_metrics", cumulative_metrics, &problems);
  CheckNames("job_labels", job_labels, &problems);
  if (!tenant_label.empty() &&
      std::find(job_labels.begin(), job_labels.end(), tenant_label) == job_labels.end()) {
    problems.emplace_back("tenant_label", "must be one of job_labels");
  }
  return problems;
}

absl::Status AggregatorConfig::Validate() const {
  auto problems = Problems();
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrJoin(problems, "\n", [](std::string* out, const auto& problem) {
        absl::StrAppend(out, "aggregation.", problem.first, ": ", problem.second);
      }));
}

AggregatorConfig ParseAggregatorConfig(config::YamlMap& section) {
  AggregatorConfig config;
  section.Get("interval", &config.interval);
  section.Get("shards", &config.shards);
  section.Get("fold_labels", &config.fold_labels);
  section.Get("raw_metrics", &config.raw_metrics);
  section.Get("instance_metrics", &config.instance_metrics);
  section.Get("cumulative_metrics", &config.cumulative_metrics);
  section.Get("job_labels", &config.job_labels);
  section.Get("tenant_label", &config.tenant_label);
  section.Get("max_series", &config.max_series);
  section.Get("max_series_per_job", &config.max_series_per_job);
  section.Get("expire_after_intervals", &config.expire_after_intervals);
  section.RejectUnknownKeys();
  for (const auto& [key, message] : config.Problems()) section.Error(key, message);
  return config;
}

}  // namespace vitals::gateway
