#include "scorer/model/scoring_config.h"

#include <set>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "scorer/window/merged_interval.h"

namespace vitals::scorer {
namespace {

constexpr std::pair<std::string_view, v1::Scope> kScopes[] = {
    {"any", v1::SCOPE_UNSPECIFIED},
    {"jobmanager", v1::SCOPE_JOBMANAGER},
    {"jobmanager_job", v1::SCOPE_JOBMANAGER_JOB},
    {"taskmanager", v1::SCOPE_TASKMANAGER},
    {"taskmanager_job", v1::SCOPE_TASKMANAGER_JOB},
    {"taskmanager_job_task", v1::SCOPE_TASKMANAGER_JOB_TASK},
    {"taskmanager_job_task_operator", v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR},
};

constexpr std::string_view kBuiltinNames[] = {"latency", "checkpoint",   "restarts", "gc",
                                              "cpu",     "backpressure", "skew"};

constexpr std::pair<std::string_view, Direction> kDirections[] = {
    {"lower_is_better", Direction::kLowerIsBetter},
    {"higher_is_better", Direction::kHigherIsBetter},
};

void DeclareBandKeys(config::Keys& k, Band& band) {
  k.Key("ideal", &band.ideal, "full marks at or better than this");
  k.Key("good", &band.good, "the last value still graded ok");
  k.Key("bad", &band.bad, "the first value graded critical");
  k.Key("worst", &band.worst, "zero at or worse than this");
  if (std::string why = band.Check(); !why.empty()) k.Error("", why);
}

// Weights of disabled dimensions are checked too: enabling one later
// should not be what reveals a bad weight.
void DeclareWeightKeys(config::Keys& k, bool* enabled, double* weight) {
  k.Key("enabled", enabled, "whether the dimension is graded");
  k.Key("weight", weight, "its share of the job score").NonNegative();
}

void DeclareLatencyKeys(config::Keys& k, LatencyConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Key("sustain", &c.sustain, "lag must last this long to count").Positive();
  k.Section("event_time_lag_seconds", &c.event_time_lag_seconds, DeclareBandKeys);
  k.Section("backlog_seconds", &c.backlog_seconds, DeclareBandKeys);
}

void DeclareCheckpointKeys(config::Keys& k, CheckpointConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("failed_share", &c.failed_share, DeclareBandKeys);
  k.Section("staleness_seconds", &c.staleness_seconds, DeclareBandKeys);
  k.Section("duration_ratio", &c.duration_ratio, DeclareBandKeys);
}

void DeclareRestartsKeys(config::Keys& k, RestartsConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("restarts", &c.restarts, DeclareBandKeys);
  k.Section("not_running_share", &c.not_running_share, DeclareBandKeys);
}

void DeclareGcKeys(config::Keys& k, GcConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("time_share", &c.time_share, DeclareBandKeys);
}

void DeclareCpuKeys(config::Keys& k, CpuConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("load", &c.load, DeclareBandKeys);
}

void DeclareBackpressureKeys(config::Keys& k, BackpressureConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("worst_task", &c.worst_task, DeclareBandKeys);
  k.Section("job_share", &c.job_share, DeclareBandKeys);
}

void DeclareSkewKeys(config::Keys& k, SkewConfig& c) {
  DeclareWeightKeys(k, &c.enabled, &c.weight);
  k.Section("percent", &c.percent, DeclareBandKeys);
  k.Key("min_rate", &c.min_rate, "operators slower than this (records/s) are not judged")
      .NonNegative();
}

void DeclareUserDefinedKeys(config::Keys& k, UserDefinedConfig& d) {
  k.Key("name", &d.name, "the dimension's name, unique among all dimensions").Required().NonEmpty();
  k.Key("metric", &d.metric, "the Flink metric, as Flink or Prometheus spells it")
      .Required()
      .NonEmpty();
  if (k.reading() && !d.metric.empty()) d.metric = CanonicalMetricName(d.metric);
  k.Enum("scope", &d.scope, kScopes, "only series of this scope");
  k.Key("labels", &d.labels, "only series with these label values");
  std::vector<std::pair<std::string_view, Aggregation>> aggregations;
  for (Aggregation a : {Aggregation::kMean, Aggregation::kMax, Aggregation::kMin, Aggregation::kSum,
                        Aggregation::kRate, Aggregation::kLast}) {
    aggregations.emplace_back(AggregationName(a), a);
  }
  k.Enum("aggregation", &d.aggregation, aggregations,
         "how the matching series fold into one value per interval");
  k.Enum("direction", &d.band.direction, kDirections, "which way is better");
  k.Key("good", &d.band.good, "the last value still graded ok").Required();
  k.Key("bad", &d.band.bad, "the first value graded critical").Required();
  // Unless given: full marks only at `good`, zero as far beyond `bad` as
  // `bad` is beyond `good`.
  if (k.Absent("ideal")) d.band.ideal = d.band.good;
  if (k.Absent("worst")) d.band.worst = d.band.bad + (d.band.bad - d.band.good);
  k.Key("ideal", &d.band.ideal, "full marks at or better than this; default: good");
  k.Key("worst", &d.band.worst, "zero at or worse than this; default: bad + (bad - good)");
  if (std::string why = d.band.Check(); !why.empty()) k.Error("", why);
  k.Key("weight", &d.weight, "its share of the job score").NonNegative();
  k.Key("unit", &d.unit, "shown with the value in explanations");
  k.Key("negative_is_missing", &d.negative_is_missing,
        "a negative value means no data (Flink's -1 gauges)");
  k.Key("warmup", &d.warmup, "wait for the job's warm-up before grading");
}

void DeclareGradeKeys(config::Keys& k, GradeConfig& g) {
  k.Key("healthy", &g.healthy, "healthy at a job score >= this");
  k.Key("critical", &g.critical, "critical at a job score <= this");
  k.Key("margin", &g.margin, "a better grade must be this far inside its band").NonNegative();
  k.Key("degrade_after", &g.degrade_after, "a worse grade takes effect after this long")
      .NonNegative();
  k.Key("recover_after", &g.recover_after, "a better grade takes effect after this long")
      .NonNegative();
  if (!(g.critical >= 0 && g.critical < g.healthy && g.healthy <= 10)) {
    k.Error("", "must satisfy 0 <= critical < healthy <= 10");
  }
}

void DeclareRollbackKeys(config::Keys& k, RollbackConfig& r) {
  k.Key("baseline", &r.baseline, "history before the migration that forms the baseline").Positive();
  k.Key("settle", &r.settle, "time after the migration that is not judged").NonNegative();
  k.Key("min_points", &r.min_points, "evaluations needed on each side").Positive();
  k.Key("min_drop", &r.min_drop, "median job score drop that is significant").Positive();
  k.Key("dimension_drop", &r.dimension_drop, "median drop that names a dimension as degraded")
      .Positive();
  k.Key("critical_share", &r.critical_share,
        "share of evaluations a newly critical dimension must be critical in to force a rollback")
      .Check("must be in (0, 1]", [](double v) { return v > 0 && v <= 1; });
}

}  // namespace

void DeclareScoringKeys(config::Keys& k, ScoringConfig& c) {
  k.Key("window", &c.window, "the sliding window each dimension is graded over").Positive();
  k.Key("grace", &c.grace, "batches of an interval are still merged this long after its end")
      .NonNegative();
  k.Key("warmup", &c.warmup, "catch-up-sensitive dimensions wait this long after a job starts")
      .NonNegative();
  k.Key("min_intervals", &c.min_intervals, "intervals of data a dimension needs to be graded")
      .Positive();
  k.Key("history_points", &c.history_points, "history points kept per job").Positive();
  k.Key("min_confidence", &c.min_confidence,
        "below this share of weight with data the grade is unknown")
      .Range(0.0, 1.0);
  k.Key("not_reporting_after", &c.not_reporting_after,
        "a job without batches this long (while others report) is not_reporting")
      .Positive();
  k.Section("dimensions", [&](config::Keys& dims) {
    dims.Section("latency", &c.latency, DeclareLatencyKeys);
    dims.Section("checkpoint", &c.checkpoint, DeclareCheckpointKeys);
    dims.Section("restarts", &c.restarts, DeclareRestartsKeys);
    dims.Section("gc", &c.gc, DeclareGcKeys);
    dims.Section("cpu", &c.cpu, DeclareCpuKeys);
    dims.Section("backpressure", &c.backpressure, DeclareBackpressureKeys);
    dims.Section("skew", &c.skew, DeclareSkewKeys);
  });
  k.List("user_defined", &c.user_defined, DeclareUserDefinedKeys);
  k.Section("grades", &c.grades, DeclareGradeKeys);
  k.Section("rollback", &c.rollback, DeclareRollbackKeys);

  double total_weight = 0;
  for (const auto& [enabled, weight] :
       {std::pair{c.latency.enabled, c.latency.weight},
        std::pair{c.checkpoint.enabled, c.checkpoint.weight},
        std::pair{c.restarts.enabled, c.restarts.weight}, std::pair{c.gc.enabled, c.gc.weight},
        std::pair{c.cpu.enabled, c.cpu.weight},
        std::pair{c.backpressure.enabled, c.backpressure.weight},
        std::pair{c.skew.enabled, c.skew.weight}}) {
    if (enabled && weight > 0) total_weight += weight;
  }
  std::set<std::string> names(std::begin(kBuiltinNames), std::end(kBuiltinNames));
  for (size_t i = 0; i < c.user_defined.size(); ++i) {
    const UserDefinedConfig& d = c.user_defined[i];
    if (!d.name.empty() && !names.insert(d.name).second) {
      k.Error(absl::StrCat("user_defined[", i, "].name"),
              absl::StrCat("'", d.name, "' is already a dimension name"));
    }
    if (d.weight > 0) total_weight += d.weight;
  }
  if (total_weight <= 0) k.Error("dimensions", "at least one dimension must have a weight > 0");
}

absl::Status ScoringConfig::Validate() const {
  return config::Check("scoring", *this, DeclareScoringKeys);
}

absl::StatusOr<ScoringConfig> ParseScoringConfig(config::YamlMap& scoring) {
  config::ConfigErrors* errors = scoring.errors();
  const size_t errors_before = errors->errors().size();
  ScoringConfig c;
  config::Read(scoring, &c, DeclareScoringKeys);
  if (errors->errors().size() == errors_before) return c;
  std::vector<std::string> mine(errors->errors().begin() + errors_before, errors->errors().end());
  return absl::InvalidArgumentError(absl::StrJoin(mine, "\n"));
}

}  // namespace vitals::scorer
