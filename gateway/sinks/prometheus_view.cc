#include "gateway/sinks/prometheus_view.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/prom_escape.h"
#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

enum class Rule { kRunningTotal, kSum, kMax, kLast, kQuantiles };

std::string_view ScopePrefix(v1::Scope scope) {
  switch (scope) {
    case v1::SCOPE_JOBMANAGER:
      return "jobmanager";
    case v1::SCOPE_JOBMANAGER_JOB:
      return "jobmanager_job";
    case v1::SCOPE_TASKMANAGER:
      return "taskmanager";
    case v1::SCOPE_TASKMANAGER_JOB:
      return "taskmanager_job";
    case v1::SCOPE_TASKMANAGER_JOB_TASK:
      return "taskmanager_job_task";
    case v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR:
      return "taskmanager_job_task_operator";
    default:
      return "";
  }
}

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (!first && c >= '0' && c <= '9');
}

// Flink's PrometheusReporter turns every character outside [a-zA-Z0-9:_]
// into `_`; canonical metric names already are, labels may not be.
void AppendSanitized(std::string& out, std::string_view name, bool allow_colon) {
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = IsNameChar(c, out.empty() && i == 0) || (allow_colon && c == ':');
    if (!ok && i == 0 && out.empty() && c >= '0' && c <= '9') {
      out.push_back('_');
      out.push_back(c);
      continue;
    }
    out.push_back(ok ? c : '_');
  }
}

std::string FamilyName(v1::Scope scope, std::string_view metric) {
  std::string name;
  std::string_view prefix = ScopePrefix(scope);
  if (!prefix.empty()) {
    absl::StrAppend(&name, "flink_", AsAbsl(prefix), "_");
  } else if (metric.substr(0, 7) == "vitals_") {
    name = "exported_";  // non-Flink metrics keep their name, but vitals_* is ours
  }
  AppendSanitized(name, metric, /*allow_colon=*/true);
  return name;
}

std::string LabelName(std::string_view name) {
  std::string out;
  AppendSanitized(out, name, /*allow_colon=*/false);
  if (out.empty()) out = "_";
  return out;
}

void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, end);
  }
}

// Rates of events add up across instances; shares of time (busy,
// backpressured, GC ms per second) do not: their job-wide figure is the
// worst instance, as in Flink's own UI. Job gauges come from the one
// JobManager leading the job: after a failover the newest value is right,
// not the larger one.
Rule RuleFor(v1::Scope scope, v1::MetricKind kind, std::string_view metric,
             const absl::flat_hash_set<std::string>& sum_gauges) {
  switch (kind) {
    case v1::METRIC_KIND_COUNTER:
      return Rule::kRunningTotal;
    case v1::METRIC_KIND_SUMMARY:
      return Rule::kQuantiles;
    case v1::METRIC_KIND_METER:
      return metric.find("TimeMsPerSecond") == std::string_view::npos ? Rule::kSum : Rule::kMax;
    default:
      if (sum_gauges.contains(AsAbsl(metric))) return Rule::kSum;
      if (scope == v1::SCOPE_JOBMANAGER || scope == v1::SCOPE_JOBMANAGER_JOB) return Rule::kLast;
      return Rule::kMax;
  }
}

std::string_view RuleHelp(Rule rule) {
  switch (rule) {
    case Rule::kRunningTotal:
      return "running total of the increases over all instances (Flink counter)";
    case Rule::kSum:
      return "sum over all instances";
    case Rule::kMax:
      return "max over all instances";
    case Rule::kLast:
      return "newest value";
    case Rule::kQuantiles:
      return "per-quantile max over all instances; _count is the running total of observations";
  }
  return "";
}

std::string StateKey(std::string_view job_name, v1::Scope scope, std::string_view metric,
                     const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string key = absl::StrCat(job_name.size(), ":", AsAbsl(job_name), "\x1f",
                                 static_cast<int>(scope), "\x1f", AsAbsl(metric));
  for (const auto& [name, value] : labels) {
    absl::StrAppend(&key, "\x1f", name.size(), ":", name, "=", value.size(), ":", value);
  }
  return key;
}

}  // namespace

struct PrometheusView::State {
  std::string job_name;
  std::string job_id;
  std::string cluster;
  std::string gateway;
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  std::string metric;
  v1::MetricKind kind = v1::METRIC_KIND_UNSPECIFIED;
  Rule rule = Rule::kMax;
  std::vector<std::pair<std::string, std::string>> labels;  // sorted
  double value = 0;
  std::vector<std::pair<std::string, double>> quantiles;
  int64_t seen = 0;  // the update that last carried the series
};

PrometheusView::PrometheusView(PrometheusViewOptions options)
    : options_(std::move(options)),
      sum_gauges_(options_.sum_gauges.begin(), options_.sum_gauges.end()) {}

PrometheusView::~PrometheusView() = default;

void PrometheusView::Update(std::span<const v1::MetricBatch> batches) {
  std::vector<const v1::MetricBatch*> ordered;
  for (const v1::MetricBatch& batch : batches) ordered.push_back(&batch);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return a->interval_start_ms() < b->interval_start_ms();
  });

  absl::MutexLock lock(&mu_);
  ++update_;
  std::vector<std::pair<std::string, std::string>> labels;
  for (const v1::MetricBatch* batch : ordered) {
    for (const v1::SeriesAggregate& series : batch->series()) {
      labels.assign(series.labels().begin(), series.labels().end());
      std::sort(labels.begin(), labels.end());
      std::unique_ptr<State>& slot =
          series_[StateKey(batch->job_name(), series.scope(), series.metric(), labels)];
      const Rule rule = RuleFor(series.scope(), series.kind(), series.metric(), sum_gauges_);
      if (slot == nullptr || slot->kind != series.kind()) {
        slot = std::make_unique<State>();
        slot->job_name = batch->job_name();
        slot->scope = series.scope();
        slot->metric = series.metric();
        slot->kind = series.kind();
        slot->rule = rule;
        slot->labels = labels;
      }
      State& state = *slot;
      state.job_id = batch->job_id();
      state.cluster = batch->cluster();
      state.gateway = batch->gateway();
      state.seen = update_;
      switch (rule) {
        case Rule::kRunningTotal:
          state.value += series.sum();  // deltas only: baselines add nothing
          break;
        case Rule::kSum:
          if (series.count() > 0) state.value = series.sum();
          break;
        case Rule::kMax:
          if (series.count() > 0) state.value = series.max();
          break;
        case Rule::kLast:
          if (series.count() > 0) state.value = series.last();
          break;
        case Rule::kQuantiles:
          state.quantiles.assign(series.quantile_max().begin(), series.quantile_max().end());
          std::sort(state.quantiles.begin(), state.quantiles.end(),
                    [](const auto& a, const auto& b) {
                      return std::strtod(a.first.c_str(), nullptr) <
                             std::strtod(b.first.c_str(), nullptr);
                    });
          break;
      }
    }
  }
  for (auto it = series_.begin(); it != series_.end();) {
    const State& state = *it->second;
    const int64_t memory =
        state.rule == Rule::kRunningTotal
            ? std::max(options_.counter_memory_intervals, options_.keep_intervals)
            : options_.keep_intervals;
    if (update_ - state.seen >= memory) {
      series_.erase(it++);
    } else {
      ++it;
    }
  }
  // After a flood of series has gone: the table's memory back.
  if (series_.capacity() > 1024 && series_.size() * 4 < series_.capacity()) series_.rehash(0);
  RenderLocked();
}

std::string PrometheusView::Render() const {
  absl::MutexLock lock(&mu_);
  return text_;
}

void PrometheusView::RenderLocked() {
  struct Family {
    Rule rule;
    std::string metric;
    v1::Scope scope;
    std::vector<std::pair<std::string, std::string>> samples;  // label text, lines
  };
  std::map<std::string, Family> families;
  absl::flat_hash_set<const State*> consumed;  // `_count`/`_sum` shown inside a summary

  const int64_t update = update_;
  auto visible = [&](const State& s) { return update - s.seen < options_.keep_intervals; };
  auto label_text = [](const State& s, std::string_view extra_name, std::string_view extra_value) {
    std::string out = "{job_name=\"";
    AppendPromEscaped(out, s.job_name, true);
    out += "\",job_id=\"";
    AppendPromEscaped(out, s.job_id, true);
    out += "\",cluster=\"";
    AppendPromEscaped(out, s.cluster, true);
    out += "\",gateway=\"";
    AppendPromEscaped(out, s.gateway, true);
    out += '"';
    std::vector<std::string> names;
    for (const auto& [raw_name, value] : s.labels) {
      std::string name = LabelName(raw_name);
      // Never shadow the identity labels above (or `quantile`), nor repeat
      // a name that two raw labels sanitize to.
      if (name == "job_name" || name == "job_id" || name == "cluster" || name == "gateway" ||
          name == "quantile") {
        name.insert(0, "exported_");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      names.push_back(name);
      absl::StrAppend(&out, ",", name, "=\"");
      AppendPromEscaped(out, value, true);
      out += '"';
    }
    if (!extra_name.empty()) {
      absl::StrAppend(&out, ",", AsAbsl(extra_name), "=\"");
      AppendPromEscaped(out, extra_value, true);
      out += '"';
    }
    out += '}';
    return out;
  };

  for (const auto& [key, state_ptr] : series_) {
    const State& s = *state_ptr;
    if (!visible(s) || s.rule != Rule::kQuantiles) continue;
    std::string family_name = FamilyName(s.scope, s.metric);
    Family& family =
        families.try_emplace(family_name, Family{s.rule, s.metric, s.scope, {}}).first->second;
    if (family.rule != s.rule) continue;
    const std::string base = label_text(s, "", "");
    std::string lines;
    for (const auto& [quantile, value] : s.quantiles) {
      absl::StrAppend(&lines, family_name, label_text(s, "quantile", quantile), " ");
      AppendValue(lines, value);
      lines += '\n';
    }
    for (std::string_view part : {"sum", "count"}) {
      auto it = series_.find(
          StateKey(s.job_name, s.scope, absl::StrCat(s.metric, "_", AsAbsl(part)), s.labels));
      if (it == series_.end() || !visible(*it->second) || it->second->rule != Rule::kRunningTotal) {
        continue;
      }
      consumed.insert(it->second.get());
      absl::StrAppend(&lines, family_name, "_", AsAbsl(part), base, " ");
      AppendValue(lines, it->second->value);
      lines += '\n';
    }
    family.samples.emplace_back(base, std::move(lines));
  }

  for (const auto& [key, state_ptr] : series_) {
    const State& s = *state_ptr;
    if (!visible(s) || s.rule == Rule::kQuantiles || consumed.contains(&s)) continue;
    std::string family_name = FamilyName(s.scope, s.metric);
    Family& family =
        families.try_emplace(family_name, Family{s.rule, s.metric, s.scope, {}}).first->second;
    if (family.rule == Rule::kQuantiles) continue;  // a summary already owns the name
    std::string base = label_text(s, "", "");
    std::string line = absl::StrCat(family_name, base, " ");
    AppendValue(line, s.value);
    line += '\n';
    family.samples.emplace_back(std::move(base), std::move(line));
  }

  text_.clear();
  for (auto& [name, family] : families) {
    if (family.samples.empty()) continue;
    std::sort(family.samples.begin(), family.samples.end());
    // Counters keep the gauge type of Flink's own reporter (and its name,
    // which has no `_total`), unless the name already ends in `_total`.
    std::string_view type = "gauge";
    if (family.rule == Rule::kQuantiles) {
      type = "summary";
    } else if (family.rule == Rule::kRunningTotal && name.ends_with("_total")) {
      type = "counter";
    }
    absl::StrAppend(&text_, "# HELP ", name, " ");
    const std::string_view scope = ScopePrefix(family.scope);
    std::string help = absl::StrCat(
        "Flink ", AsAbsl(scope), scope.empty() ? "" : " ", "metric ", family.metric,
        " per job, aggregated by the vitals gateway: ", AsAbsl(RuleHelp(family.rule)), ".");
    AppendPromEscaped(text_, help, false);
    absl::StrAppend(&text_, "\n# TYPE ", name, " ", AsAbsl(type), "\n");
    for (const auto& [labels, lines] : family.samples) text_ += lines;
  }
  // The text shrank (a flood's series gone): do not keep its old size.
  if (text_.capacity() > 2 * text_.size() + (size_t{1} << 20)) text_.shrink_to_fit();
}

}  // namespace vitals::gateway
