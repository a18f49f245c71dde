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

// A series' identity: job name, scope, metric and raw labels (sorted), each
// length-prefixed so that no two identities share a key:
//   head   "<n>:<job name>\x1f<scope>\x1f"
//   metric "<n>:<metric>"
//   labels "\x1f<n>:<name>=<n>:<value>" per label
void AppendPiece(std::string& out, std::string_view piece) {
  absl::StrAppend(&out, piece.size(), ":", AsAbsl(piece));
}

void AppendKeyHead(std::string& key, std::string_view job_name, v1::Scope scope) {
  AppendPiece(key, job_name);
  absl::StrAppend(&key, "\x1f", static_cast<int>(scope), "\x1f");
}

void AppendKeyLabels(std::string& key,
                     const std::vector<std::pair<std::string, std::string>>& labels) {
  for (const auto& [name, value] : labels) {
    key += '\x1f';
    AppendPiece(key, name);
    key += '=';
    AppendPiece(key, value);
  }
}

// Reads one length-prefixed piece at `at`; false at the end or on a
// malformed key.
bool ReadPiece(std::string_view key, size_t& at, std::string_view& piece) {
  size_t n = 0;
  size_t i = at;
  for (; i < key.size() && key[i] >= '0' && key[i] <= '9'; ++i) n = n * 10 + (key[i] - '0');
  if (i == at || i >= key.size() || key[i] != ':' || n > key.size() - i - 1) return false;
  piece = key.substr(i + 1, n);
  at = i + 1 + n;
  return true;
}

// Calls fn(name, value) for each label of a key's labels part.
template <typename Fn>
void ForEachLabel(std::string_view labels, Fn fn) {
  size_t at = 0;
  std::string_view name;
  std::string_view value;
  while (at < labels.size() && labels[at] == '\x1f') {
    ++at;
    if (!ReadPiece(labels, at, name) || at >= labels.size() || labels[at++] != '=' ||
        !ReadPiece(labels, at, value)) {
      return;
    }
    fn(name, value);
  }
}

}  // namespace

struct PrometheusView::Job {
  std::string job_id;
  std::string cluster;
  std::string gateway;
  // `{job_name="…",job_id="…",cluster="…",gateway="…"`, escaped, unclosed.
  std::string identity;
  int64_t states = 0;
};

struct PrometheusView::State {
  std::string key;  // see AppendKeyHead; series_ is keyed by a view of it
  Job* job = nullptr;
  uint32_t head_size = 0;  // the metric piece's start
  uint32_t metric_at = 0;
  uint32_t metric_size = 0;
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  v1::MetricKind kind = v1::METRIC_KIND_UNSPECIFIED;
  Rule rule = Rule::kMax;
  double value = 0;
  std::vector<std::pair<std::string, double>> quantiles;
  int64_t seen = 0;  // the update that last carried the series

  std::string_view metric() const { return std::string_view(key).substr(metric_at, metric_size); }
  std::string_view labels() const { return std::string_view(key).substr(metric_at + metric_size); }
};

PrometheusView::PrometheusView(PrometheusViewOptions options)
    : options_(std::move(options)),
      sum_gauges_(options_.sum_gauges.begin(), options_.sum_gauges.end()) {}

PrometheusView::~PrometheusView() = default;

PrometheusView::Job& PrometheusView::JobOf(const v1::MetricBatch& batch) {
  std::unique_ptr<Job>& slot = jobs_[batch.job_name()];
  if (slot == nullptr) slot = std::make_unique<Job>();
  Job& job = *slot;
  if (job.identity.empty() || job.job_id != batch.job_id() || job.cluster != batch.cluster() ||
      job.gateway != batch.gateway()) {
    job.job_id = batch.job_id();
    job.cluster = batch.cluster();
    job.gateway = batch.gateway();
    job.identity = "{job_name=\"";
    AppendPromEscaped(job.identity, batch.job_name(), true);
    job.identity += "\",job_id=\"";
    AppendPromEscaped(job.identity, job.job_id, true);
    job.identity += "\",cluster=\"";
    AppendPromEscaped(job.identity, job.cluster, true);
    job.identity += "\",gateway=\"";
    AppendPromEscaped(job.identity, job.gateway, true);
    job.identity += '"';
  }
  return job;
}

void PrometheusView::Update(std::span<const v1::MetricBatch> batches) {
  std::vector<const v1::MetricBatch*> ordered;
  for (const v1::MetricBatch& batch : batches) ordered.push_back(&batch);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return a->interval_start_ms() < b->interval_start_ms();
  });

  absl::MutexLock lock(&mu_);
  ++update_;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string key;
  for (const v1::MetricBatch* batch : ordered) {
    Job& job = JobOf(*batch);
    for (const v1::SeriesAggregate& series : batch->series()) {
      labels.assign(series.labels().begin(), series.labels().end());
      std::sort(labels.begin(), labels.end());
      key.clear();
      AppendKeyHead(key, batch->job_name(), series.scope());
      const size_t head_size = key.size();
      AppendPiece(key, series.metric());
      const size_t metric_at = key.size() - series.metric().size();
      AppendKeyLabels(key, labels);
      const Rule rule = RuleFor(series.scope(), series.kind(), series.metric(), sum_gauges_);
      auto it = series_.find(AsAbsl(key));
      if (it == series_.end()) {
        auto fresh = std::make_unique<State>();
        fresh->key = key;
        fresh->job = &job;
        fresh->head_size = static_cast<uint32_t>(head_size);
        fresh->metric_at = static_cast<uint32_t>(metric_at);
        fresh->metric_size = static_cast<uint32_t>(series.metric().size());
        fresh->scope = series.scope();
        fresh->kind = series.kind();
        fresh->rule = rule;
        ++job.states;
        const absl::string_view view(fresh->key.data(), fresh->key.size());
        it = series_.emplace(view, std::move(fresh)).first;
      }
      State& state = *it->second;
      if (state.kind != series.kind()) {  // a new kind starts afresh
        state.kind = series.kind();
        state.rule = rule;
        state.value = 0;
        state.quantiles.clear();
      }
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
  Expire();
}

void PrometheusView::Expire() {
  for (auto it = series_.begin(); it != series_.end();) {
    State& state = *it->second;
    const int64_t memory =
        state.rule == Rule::kRunningTotal
            ? std::max(options_.counter_memory_intervals, options_.keep_intervals)
            : options_.keep_intervals;
    if (update_ - state.seen >= memory) {
      --state.job->states;
      series_.erase(it++);
    } else {
      ++it;
    }
  }
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->second->states == 0) {
      jobs_.erase(it++);
    } else {
      ++it;
    }
  }
  // After a flood of series has gone: the table's memory back.
  if (series_.capacity() > 1024 && series_.size() * 4 < series_.capacity()) series_.rehash(0);
}

std::string PrometheusView::Render() const {
  std::string out;
  RenderTo(&out);
  return out;
}

void PrometheusView::RenderTo(std::string* out) const {
  // Families in name order, each family's lines in the order of their
  // label text: sorted rows, each row's label text in one scratch buffer
  // (no string per series), written straight into `out`.
  struct Family {
    std::string name;
    Rule rule;
    const State* first;  // its HELP names this one's scope and metric
  };
  struct Row {
    uint32_t family;
    const State* state;
    size_t labels_at;  // in `label_texts`: the label text and its closing '}'
    size_t labels_size;
    const State* sum = nullptr;  // a summary's running totals
    const State* count = nullptr;
  };
  std::vector<Family> families;
  absl::flat_hash_map<std::string, uint32_t> family_by_name;
  absl::flat_hash_map<std::pair<int, absl::string_view>, uint32_t> family_of;
  std::vector<Row> rows;
  std::string label_texts;
  std::vector<std::string> names;
  absl::flat_hash_set<const State*> consumed;  // `_count`/`_sum` shown inside a summary

  absl::MutexLock lock(&mu_);
  const int64_t update = update_;
  auto visible = [&](const State& s) { return update - s.seen < options_.keep_intervals; };
  auto family_for = [&](const State& s) {
    auto [it, added] = family_of.try_emplace({s.scope, AsAbsl(s.metric())}, 0);
    if (added) {
      std::string name = FamilyName(s.scope, s.metric());
      auto [by_name, new_name] =
          family_by_name.try_emplace(name, static_cast<uint32_t>(families.size()));
      if (new_name) families.push_back({std::move(name), s.rule, &s});
      it->second = by_name->second;
    }
    return it->second;
  };
  // Appends `,name="value"`… and '}' for the row of `s`.
  auto add_row = [&](uint32_t family, const State& s) -> Row& {
    const size_t at = label_texts.size();
    names.clear();
    ForEachLabel(s.labels(), [&](std::string_view raw_name, std::string_view value) {
      std::string name = LabelName(raw_name);
      // Never shadow the identity labels (or `quantile`), nor repeat a name
      // that two raw labels sanitize to.
      if (name == "job_name" || name == "job_id" || name == "cluster" || name == "gateway" ||
          name == "quantile") {
        name.insert(0, "exported_");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) return;
      absl::StrAppend(&label_texts, ",", name, "=\"");
      AppendPromEscaped(label_texts, value, true);
      label_texts += '"';
      names.push_back(std::move(name));
    });
    label_texts += '}';
    rows.push_back({family, &s, at, label_texts.size() - at});
    return rows.back();
  };
  auto sibling = [&](const State& s, std::string_view part) -> const State* {
    mu_.AssertHeld();  // called under the lock below, which the analysis cannot follow
    std::string key(std::string_view(s.key).substr(0, s.head_size));
    AppendPiece(key, absl::StrCat(AsAbsl(s.metric()), "_", AsAbsl(part)));
    key += s.labels();
    auto it = series_.find(AsAbsl(key));
    if (it == series_.end() || !visible(*it->second) || it->second->rule != Rule::kRunningTotal) {
      return nullptr;
    }
    consumed.insert(it->second.get());
    return it->second.get();
  };

  for (const auto& [key, state_ptr] : series_) {
    const State& s = *state_ptr;
    if (!visible(s) || s.rule != Rule::kQuantiles) continue;
    const uint32_t family = family_for(s);
    if (families[family].rule != Rule::kQuantiles) continue;
    Row& row = add_row(family, s);
    row.sum = sibling(s, "sum");
    row.count = sibling(s, "count");
  }
  for (const auto& [key, state_ptr] : series_) {
    const State& s = *state_ptr;
    if (!visible(s) || s.rule == Rule::kQuantiles || consumed.contains(&s)) continue;
    const uint32_t family = family_for(s);
    if (families[family].rule == Rule::kQuantiles) continue;  // a summary owns the name
    add_row(family, s);
  }

  std::vector<uint32_t> rank(families.size());
  {
    std::vector<uint32_t> by_name(families.size());
    for (uint32_t i = 0; i < by_name.size(); ++i) by_name[i] = i;
    std::sort(by_name.begin(), by_name.end(),
              [&](uint32_t a, uint32_t b) { return families[a].name < families[b].name; });
    for (uint32_t i = 0; i < by_name.size(); ++i) rank[by_name[i]] = i;
  }
  const std::string_view texts(label_texts);
  auto labels_of = [&](const Row& r) { return texts.substr(r.labels_at, r.labels_size); };
  // A job's identity text ends at its closing quote, which no escaped
  // value contains, so ordering by (identity, label text) is ordering by
  // the rendered `{…}` as a whole.
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (a.family != b.family) return rank[a.family] < rank[b.family];
    if (a.state->job != b.state->job) {
      const int c = a.state->job->identity.compare(b.state->job->identity);
      if (c != 0) return c < 0;
    }
    const int c = labels_of(a).compare(labels_of(b));
    if (c != 0) return c < 0;
    return a.state->key < b.state->key;
  });

  auto write_value = [&](double v) {
    *out += ' ';
    AppendValue(*out, v);
    *out += '\n';
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const Family& family = families[row.family];
    const State& s = *row.state;
    if (i == 0 || rows[i - 1].family != row.family) {
      // Counters keep the gauge type of Flink's own reporter (and its
      // name, which has no `_total`), unless the name already ends in
      // `_total`.
      std::string_view type = "gauge";
      if (family.rule == Rule::kQuantiles) {
        type = "summary";
      } else if (family.rule == Rule::kRunningTotal && family.name.ends_with("_total")) {
        type = "counter";
      }
      absl::StrAppend(out, "# HELP ", family.name, " ");
      const std::string_view scope = ScopePrefix(family.first->scope);
      const std::string help = absl::StrCat(
          "Flink ", AsAbsl(scope), scope.empty() ? "" : " ", "metric ",
          AsAbsl(family.first->metric()),
          " per job, aggregated by the vitals gateway: ", AsAbsl(RuleHelp(family.rule)), ".");
      AppendPromEscaped(*out, help, false);
      absl::StrAppend(out, "\n# TYPE ", family.name, " ", AsAbsl(type), "\n");
    }
    const std::string_view labels = labels_of(row);
    if (s.rule != Rule::kQuantiles) {
      absl::StrAppend(out, family.name, s.job->identity, AsAbsl(labels));
      write_value(s.value);
      continue;
    }
    const std::string_view open = labels.substr(0, labels.size() - 1);  // without '}'
    for (const auto& [quantile, value] : s.quantiles) {
      absl::StrAppend(out, family.name, s.job->identity, AsAbsl(open), ",quantile=\"");
      AppendPromEscaped(*out, quantile, true);
      *out += "\"}";
      write_value(value);
    }
    for (const auto& [part, total] : {std::pair{"_sum", row.sum}, std::pair{"_count", row.count}}) {
      if (total == nullptr) continue;
      absl::StrAppend(out, family.name, part, s.job->identity, AsAbsl(labels));
      write_value(total->value);
    }
  }
}

}  // namespace vitals::gateway
