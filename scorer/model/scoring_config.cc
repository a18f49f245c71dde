#include "scorer/model/scoring_config.h"

#include <cmath>
#include <functional>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/strings.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer {
namespace {

using Report = std::function<void(std::string_view path, std::string_view message)>;

constexpr std::pair<v1::Scope, std::string_view> kScopes[] = {
    {v1::SCOPE_UNSPECIFIED, "any"},
    {v1::SCOPE_JOBMANAGER, "jobmanager"},
    {v1::SCOPE_JOBMANAGER_JOB, "jobmanager_job"},
    {v1::SCOPE_TASKMANAGER, "taskmanager"},
    {v1::SCOPE_TASKMANAGER_JOB, "taskmanager_job"},
    {v1::SCOPE_TASKMANAGER_JOB_TASK, "taskmanager_job_task"},
    {v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR, "taskmanager_job_task_operator"},
};

constexpr std::string_view kBuiltinNames[] = {"latency", "checkpoint",   "restarts", "gc",
                                              "cpu",     "backpressure", "skew"};

void ReadBand(config::YamlMap& parent, std::string_view key, Band* band) {
  config::YamlMap m = parent.Child(key);
  m.Get("ideal", &band->ideal);
  m.Get("good", &band->good);
  m.Get("bad", &band->bad);
  m.Get("worst", &band->worst);
  m.RejectUnknownKeys();
}

void ReadCommon(config::YamlMap& m, bool* enabled, double* weight) {
  m.Get("enabled", enabled);
  m.Get("weight", weight);
}

void ReadUserDefined(config::YamlMap& m, UserDefinedConfig* d) {
  m.Get("name", &d->name);
  m.Get("metric", &d->metric);
  if (!d->metric.empty()) d->metric = CanonicalMetricName(d->metric);
  std::string scope = "any";
  m.Get("scope", &scope);
  bool scope_known = false;
  for (const auto& [value, name] : kScopes) {
    if (name == scope) {
      d->scope = value;
      scope_known = true;
    }
  }
  if (!scope_known) {
    m.Error("scope",
            "expected any, jobmanager, jobmanager_job, taskmanager, taskmanager_job, "
            "taskmanager_job_task or taskmanager_job_task_operator");
  }
  m.Get("labels", &d->labels);
  std::string aggregation = "mean";
  m.Get("aggregation", &aggregation);
  if (!ParseAggregation(aggregation, &d->aggregation)) {
    m.Error("aggregation", "expected mean, max, min, sum, rate or last");
  }
  std::string direction = "lower_is_better";
  m.Get("direction", &direction);
  if (direction == "lower_is_better") {
    d->band.direction = Direction::kLowerIsBetter;
  } else if (direction == "higher_is_better") {
    d->band.direction = Direction::kHigherIsBetter;
  } else {
    m.Error("direction", "expected lower_is_better or higher_is_better");
  }
  for (std::string_view required : {"name", "metric", "good", "bad"}) {
    if (!m.Has(required)) m.Error(required, "required");
  }
  m.Get("good", &d->band.good);
  m.Get("bad", &d->band.bad);
  // Unless given: full marks only at `good`, zero as far beyond `bad` as
  // `bad` is beyond `good`.
  d->band.ideal = d->band.good;
  d->band.worst = d->band.bad + (d->band.bad - d->band.good);
  m.Get("ideal", &d->band.ideal);
  m.Get("worst", &d->band.worst);
  m.Get("weight", &d->weight);
  m.Get("unit", &d->unit);
  m.Get("negative_is_missing", &d->negative_is_missing);
  m.Get("warmup", &d->warmup);
  m.RejectUnknownKeys();
}

void CheckBand(const Band& band, std::string_view path, const Report& report) {
  if (std::string why = band.Check(); !why.empty()) report(path, why);
}

void CheckWeight(double weight, std::string_view path, const Report& report) {
  if (!std::isfinite(weight) || weight < 0) report(path, "must be a number >= 0");
}

void CheckPositive(absl::Duration d, std::string_view path, const Report& report) {
  if (d <= absl::ZeroDuration()) report(path, "must be longer than 0");
}

void ValidateInto(const ScoringConfig& c, const Report& report) {
  CheckPositive(c.window, "window", report);
  if (c.grace < absl::ZeroDuration()) report("grace", "must not be negative");
  if (c.warmup < absl::ZeroDuration()) report("warmup", "must not be negative");
  if (c.min_intervals < 1) report("min_intervals", "must be at least 1");
  if (c.history_points < 1) report("history_points", "must be at least 1");
  if (!(c.min_confidence >= 0 && c.min_confidence <= 1)) {
    report("min_confidence", "must be between 0 and 1");
  }
  CheckPositive(c.not_reporting_after, "not_reporting_after", report);

  double total_weight = 0;
  auto builtin = [&](std::string_view name, bool enabled, double weight) {
    CheckWeight(weight, absl::StrCat("dimensions.", AsAbsl(name), ".weight"), report);
    if (enabled && weight > 0) total_weight += weight;
  };
  builtin("latency", c.latency.enabled, c.latency.weight);
  CheckPositive(c.latency.sustain, "dimensions.latency.sustain", report);
  CheckBand(c.latency.event_time_lag_seconds, "dimensions.latency.event_time_lag_seconds", report);
  CheckBand(c.latency.backlog_seconds, "dimensions.latency.backlog_seconds", report);
  builtin("checkpoint", c.checkpoint.enabled, c.checkpoint.weight);
  CheckBand(c.checkpoint.failed_share, "dimensions.checkpoint.failed_share", report);
  CheckBand(c.checkpoint.staleness_seconds, "dimensions.checkpoint.staleness_seconds", report);
  CheckBand(c.checkpoint.duration_ratio, "dimensions.checkpoint.duration_ratio", report);
  builtin("restarts", c.restarts.enabled, c.restarts.weight);
  CheckBand(c.restarts.restarts, "dimensions.restarts.restarts", report);
  CheckBand(c.restarts.not_running_share, "dimensions.restarts.not_running_share", report);
  builtin("gc", c.gc.enabled, c.gc.weight);
  CheckBand(c.gc.time_share, "dimensions.gc.time_share", report);
  builtin("cpu", c.cpu.enabled, c.cpu.weight);
  CheckBand(c.cpu.load, "dimensions.cpu.load", report);
  builtin("backpressure", c.backpressure.enabled, c.backpressure.weight);
  CheckBand(c.backpressure.worst_task, "dimensions.backpressure.worst_task", report);
  CheckBand(c.backpressure.job_share, "dimensions.backpressure.job_share", report);
  builtin("skew", c.skew.enabled, c.skew.weight);
  CheckBand(c.skew.percent, "dimensions.skew.percent", report);
  if (!(c.skew.min_rate >= 0)) report("dimensions.skew.min_rate", "must be a number >= 0");

  std::set<std::string> names(std::begin(kBuiltinNames), std::end(kBuiltinNames));
  for (size_t i = 0; i < c.user_defined.size(); ++i) {
    const UserDefinedConfig& d = c.user_defined[i];
    const std::string path = absl::StrCat("user_defined[", i, "]");
    if (d.name.empty()) {
      report(absl::StrCat(path, ".name"), "must not be empty");
    } else if (!names.insert(d.name).second) {
      report(absl::StrCat(path, ".name"),
             absl::StrCat("'", d.name, "' is already a dimension name"));
    }
    if (d.metric.empty()) report(absl::StrCat(path, ".metric"), "must not be empty");
    CheckBand(d.band, path, report);
    CheckWeight(d.weight, absl::StrCat(path, ".weight"), report);
    if (d.weight > 0) total_weight += d.weight;
  }
  if (total_weight <= 0) report("dimensions", "at least one dimension must have a weight > 0");

  const GradeConfig& g = c.grades;
  if (!(g.critical >= 0 && g.critical < g.healthy && g.healthy <= 10)) {
    report("grades", "must satisfy 0 <= critical < healthy <= 10");
  }
  if (!(g.margin >= 0)) report("grades.margin", "must be >= 0");
  if (g.degrade_after < absl::ZeroDuration())
    report("grades.degrade_after", "must not be negative");
  if (g.recover_after < absl::ZeroDuration())
    report("grades.recover_after", "must not be negative");

  const RollbackConfig& r = c.rollback;
  CheckPositive(r.baseline, "rollback.baseline", report);
  if (r.settle < absl::ZeroDuration()) report("rollback.settle", "must not be negative");
  if (r.min_points < 1) report("rollback.min_points", "must be at least 1");
  if (!(r.min_drop > 0)) report("rollback.min_drop", "must be > 0");
  if (!(r.dimension_drop > 0)) report("rollback.dimension_drop", "must be > 0");
  if (!(r.critical_share > 0 && r.critical_share <= 1)) {
    report("rollback.critical_share", "must be in (0, 1]");
  }
}

}  // namespace

absl::Status ScoringConfig::Validate() const {
  std::vector<std::string> errors;
  ValidateInto(*this, [&](std::string_view path, std::string_view message) {
    errors.push_back(absl::StrCat("scoring.", AsAbsl(path), ": ", AsAbsl(message)));
  });
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
}

absl::StatusOr<ScoringConfig> ParseScoringConfig(config::YamlMap& scoring) {
  config::ConfigErrors* errors = scoring.errors();
  const size_t errors_before = errors->errors().size();
  ScoringConfig c;
  scoring.Get("window", &c.window);
  scoring.Get("grace", &c.grace);
  scoring.Get("warmup", &c.warmup);
  scoring.Get("min_intervals", &c.min_intervals);
  scoring.Get("history_points", &c.history_points);
  scoring.Get("min_confidence", &c.min_confidence);
  scoring.Get("not_reporting_after", &c.not_reporting_after);

  config::YamlMap dims = scoring.Child("dimensions");
  {
    config::YamlMap m = dims.Child("latency");
    ReadCommon(m, &c.latency.enabled, &c.latency.weight);
    m.Get("sustain", &c.latency.sustain);
    ReadBand(m, "event_time_lag_seconds", &c.latency.event_time_lag_seconds);
    ReadBand(m, "backlog_seconds", &c.latency.backlog_seconds);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("checkpoint");
    ReadCommon(m, &c.checkpoint.enabled, &c.checkpoint.weight);
    ReadBand(m, "failed_share", &c.checkpoint.failed_share);
    ReadBand(m, "staleness_seconds", &c.checkpoint.staleness_seconds);
    ReadBand(m, "duration_ratio", &c.checkpoint.duration_ratio);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("restarts");
    ReadCommon(m, &c.restarts.enabled, &c.restarts.weight);
    ReadBand(m, "restarts", &c.restarts.restarts);
    ReadBand(m, "not_running_share", &c.restarts.not_running_share);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("gc");
    ReadCommon(m, &c.gc.enabled, &c.gc.weight);
    ReadBand(m, "time_share", &c.gc.time_share);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("cpu");
    ReadCommon(m, &c.cpu.enabled, &c.cpu.weight);
    ReadBand(m, "load", &c.cpu.load);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("backpressure");
    ReadCommon(m, &c.backpressure.enabled, &c.backpressure.weight);
    ReadBand(m, "worst_task", &c.backpressure.worst_task);
    ReadBand(m, "job_share", &c.backpressure.job_share);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = dims.Child("skew");
    ReadCommon(m, &c.skew.enabled, &c.skew.weight);
    ReadBand(m, "percent", &c.skew.percent);
    m.Get("min_rate", &c.skew.min_rate);
    m.RejectUnknownKeys();
  }
  dims.RejectUnknownKeys();

  for (config::YamlMap& m : scoring.List("user_defined")) {
    ReadUserDefined(m, &c.user_defined.emplace_back());
  }
  {
    config::YamlMap m = scoring.Child("grades");
    m.Get("healthy", &c.grades.healthy);
    m.Get("critical", &c.grades.critical);
    m.Get("margin", &c.grades.margin);
    m.Get("degrade_after", &c.grades.degrade_after);
    m.Get("recover_after", &c.grades.recover_after);
    m.RejectUnknownKeys();
  }
  {
    config::YamlMap m = scoring.Child("rollback");
    m.Get("baseline", &c.rollback.baseline);
    m.Get("settle", &c.rollback.settle);
    m.Get("min_points", &c.rollback.min_points);
    m.Get("min_drop", &c.rollback.min_drop);
    m.Get("dimension_drop", &c.rollback.dimension_drop);
    m.Get("critical_share", &c.rollback.critical_share);
    m.RejectUnknownKeys();
  }
  scoring.RejectUnknownKeys();

  ValidateInto(
      c, [&](std::string_view path, std::string_view message) { scoring.Error(path, message); });
  if (errors->errors().size() == errors_before) return c;
  std::vector<std::string> mine(errors->errors().begin() + errors_before, errors->errors().end());
  return absl::InvalidArgumentError(absl::StrJoin(mine, "\n"));
}

}  // namespace vitals::scorer
