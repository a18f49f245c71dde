#include "gateway/receivers/promtext/normalizer.h"

#include <algorithm>
#include <array>

#include "common/base/prom_chars.h"

namespace vitals::gateway {
namespace {

struct ScopePrefix {
  std::string_view prefix;
  v1::Scope scope;
};

// Longest first, so the most specific scope wins.
constexpr std::array<ScopePrefix, 6> kPrefixes = {{
    {"flink_taskmanager_job_task_operator_", v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR},
    {"flink_taskmanager_job_task_", v1::SCOPE_TASKMANAGER_JOB_TASK},
    {"flink_jobmanager_job_", v1::SCOPE_JOBMANAGER_JOB},
    {"flink_taskmanager_job_", v1::SCOPE_TASKMANAGER_JOB},
    {"flink_taskmanager_", v1::SCOPE_TASKMANAGER},
    {"flink_jobmanager_", v1::SCOPE_JOBMANAGER},
}};

bool HasLabel(std::span<const LabelView> labels, std::string_view name) {
  return std::any_of(labels.begin(), labels.end(),
                     [&](const LabelView& l) { return l.name == name; });
}

bool LabelsFitScope(v1::Scope scope, std::span<const LabelView> labels) {
  const bool job = HasLabel(labels, "job_id") || HasLabel(labels, "job_name");
  switch (scope) {
    case v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR:
      return job && (HasLabel(labels, "operator_id") || HasLabel(labels, "operator_name"));
    case v1::SCOPE_TASKMANAGER_JOB_TASK:
      return job && (HasLabel(labels, "task_id") || HasLabel(labels, "task_name"));
    case v1::SCOPE_JOBMANAGER_JOB:
    case v1::SCOPE_TASKMANAGER_JOB:
      return job;
    default:
      return true;
  }
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool SplitFlinkFamily(std::string_view family, std::span<const LabelView> labels, v1::Scope* scope,
                      std::string_view* metric) {
  if (family.substr(0, 6) != "flink_") return false;
  for (const ScopePrefix& p : kPrefixes) {
    if (family.size() <= p.prefix.size() || family.substr(0, p.prefix.size()) != p.prefix) {
      continue;
    }
    if (!LabelsFitScope(p.scope, labels)) continue;
    *scope = p.scope;
    *metric = family.substr(p.prefix.size());
    return true;
  }
  return false;
}

std::string_view StripRandomJobNameSuffix(std::string_view group_job) {
  constexpr size_t kSuffix = 32;
  if (group_job.size() <= kSuffix) return group_job;
  const std::string_view tail = group_job.substr(group_job.size() - kSuffix);
  if (!std::all_of(tail.begin(), tail.end(), IsHex)) return group_job;
  return group_job.substr(0, group_job.size() - kSuffix);
}

void PromNormalizer::Reset(std::string_view source, int64_t now_ms, std::string_view cluster) {
  source_ = source;
  cluster_ = cluster;
  now_ms_ = now_ms;
}

std::string_view PromNormalizer::Filtered(std::string_view value) {
  if (IsLabelValueSafe(value)) return value;
  std::string& copy = scratch_.emplace_back(value);
  FilterLabelValue(copy);
  return copy;
}

void PromNormalizer::OnSample(const SampleView& sample) {
  FlinkSample out;
  out.source = source_;
  out.cluster = cluster_;
  out.value = sample.value;
  out.timestamp_ms = now_ms_;
  out.type = sample.type == SampleType::kCounter ? SampleType::kCounter : SampleType::kGauge;

  scratch_.clear();
  labels_.clear();
  std::string_view quantile;
  for (const LabelView& label : sample.labels) {
    if (label.name == "quantile" && sample.type == SampleType::kSummary) {
      quantile = label.value;
      continue;
    }
    std::string_view value = Filtered(label.value);
    if (label.name == "job_id") {
      out.job_id = value;
    } else if (label.name == "job_name") {
      out.job_name = value;
    } else {
      labels_.push_back({label.name, value});
    }
  }

  std::string_view family = sample.family.empty() ? sample.name : sample.family;
  if (sample.type == SampleType::kSummary) {
    out.type = SampleType::kSummary;
    if (!quantile.empty()) {
      out.quantile = quantile;
    } else if (sample.name.size() > family.size()) {
      out.quantile = sample.name.substr(family.size() + 1);  // "count" or "sum"
    }
  }
  if (!SplitFlinkFamily(family, sample.labels, &out.scope, &out.metric)) {
    out.scope = v1::SCOPE_UNSPECIFIED;
    out.metric = family;
  }
  std::sort(labels_.begin(), labels_.end(),
            [](const LabelView& a, const LabelView& b) { return a.name < b.name; });
  out.labels = labels_;
  next_->OnFlinkSample(out);
}

}  // namespace vitals::gateway
