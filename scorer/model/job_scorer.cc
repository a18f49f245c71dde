#include "scorer/model/job_scorer.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "scorer/dimensions/backpressure.h"
#include "scorer/dimensions/checkpoint.h"
#include "scorer/dimensions/cpu.h"
#include "scorer/dimensions/gc.h"
#include "scorer/dimensions/latency.h"
#include "scorer/dimensions/restarts.h"
#include "scorer/dimensions/skew.h"
#include "scorer/dimensions/text.h"
#include "scorer/dimensions/user_defined.h"
#include "scorer/model/combine.h"
#include "scorer/model/diagnosis.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kCarriedPrefix = "before the restart: ";

}  // namespace

JobScorer::JobScorer(const ScoringConfig* config)
    : config_(config), window_(&selector_), warmup_(config->warmup), grade_(&config->grades) {
  if (config->latency.enabled)
    dimensions_.push_back(std::make_unique<LatencyDimension>(&config->latency));
  if (config->checkpoint.enabled) {
    dimensions_.push_back(std::make_unique<CheckpointDimension>(&config->checkpoint));
  }
  if (config->restarts.enabled) {
    dimensions_.push_back(std::make_unique<RestartsDimension>(&config->restarts, &lifecycle_));
  }
  if (config->gc.enabled) dimensions_.push_back(std::make_unique<GcDimension>(&config->gc));
  if (config->cpu.enabled) dimensions_.push_back(std::make_unique<CpuDimension>(&config->cpu));
  if (config->backpressure.enabled) {
    dimensions_.push_back(std::make_unique<BackpressureDimension>(&config->backpressure));
  }
  if (config->skew.enabled) dimensions_.push_back(std::make_unique<SkewDimension>(&config->skew));
  for (const UserDefinedConfig& d : config->user_defined) {
    dimensions_.push_back(std::make_unique<UserDefinedDimension>(&d));
  }
  // What the dimensions, the lifecycle and the warm-up read is all a batch
  // needs to keep.
  JobLifecycleTracker::DeclareReads(selector_);
  WarmupTracker::DeclareReads(selector_);
  TopologyTracker::DeclareReads(selector_);
  for (const auto& dimension : dimensions_) dimension->DeclareReads(selector_);
}

IntervalWindow::AddResult JobScorer::Add(BatchDecoder& decoder) {
  const IntervalWindow::AddResult result = window_.Add(decoder);
  Counted(result, decoder.header().job_name, decoder.header().tenant);
  return result;
}

bool JobScorer::Add(const v1::MetricBatch& batch) {
  return Counted(window_.Add(batch), batch.job_name(), batch.tenant());
}

bool JobScorer::AddSerialized(std::string_view bytes) {
  thread_local BatchDecoder decoder;
  if (!decoder.DecodeHeader(bytes)) return Counted(IntervalWindow::AddResult::kMalformed, {}, {});
  return Add(decoder) == IntervalWindow::AddResult::kAccepted;
}

bool JobScorer::Counted(IntervalWindow::AddResult result, std::string_view job_name,
                        std::string_view tenant) {
  switch (result) {
    case IntervalWindow::AddResult::kAccepted:
      break;
    case IntervalWindow::AddResult::kLate:
      ++late_;
      return false;
    case IntervalWindow::AddResult::kDuplicate:
      ++duplicates_;
      return false;
    case IntervalWindow::AddResult::kOverflow:
      ++overflows_;
      return false;
    case IntervalWindow::AddResult::kMalformed:
      ++malformed_;
      return false;
  }
  if (!job_name.empty()) job_name_.assign(job_name);
  if (!tenant.empty()) tenant_.assign(tenant);
  return true;
}

std::optional<v1::HealthReport> JobScorer::Evaluate(int64_t now_ms) {
  std::vector<MergedInterval> closed = window_.Close(now_ms, config_->grace);
  if (closed.empty()) return std::nullopt;
  for (const MergedInterval& interval : closed) EvaluateInterval(interval, now_ms);
  return latest_;
}

void JobScorer::EvaluateInterval(const MergedInterval& interval, int64_t now_ms) {
  last_interval_end_ms_ = std::max(last_interval_end_ms_, interval.end_ms());
  if (!interval.job_id().empty()) job_id_ = interval.job_id();
  if (!interval.cluster().empty()) cluster_ = interval.cluster();
  lifecycle_.Observe(interval);
  warmup_.Observe(interval, lifecycle_);
  topology_.Observe(interval);

  EvalContext ctx;
  ctx.window = config_->window;
  ctx.window_end_ms = interval.end_ms();
  ctx.window_start_ms = ctx.window_end_ms - absl::ToInt64Milliseconds(config_->window);
  ctx.min_intervals = config_->min_intervals;
  warmup_.Trim(ctx.window_start_ms);
  ctx.warmup_ms = warmup_.warmup_ms();
  ctx.restarts = warmup_.restarts();

  v1::HealthReport& report = spare_;
  report.Clear();
  for (size_t i = 0; i < dimensions_.size(); ++i) {
    Dimension& dimension = *dimensions_[i];
    dimension.Observe(interval);
    dimension.Trim(ctx.window_start_ms);
    v1::DimensionScore* score = report.add_dimensions();
    *score = dimension.Score(ctx);
    // While a warm-up hides a dimension, its last grade with data stands:
    // a restart must not make a job that was failing look better.
    if (score->state() == v1::DIMENSION_STATE_UNKNOWN && ctx.warming_up() &&
        dimension.waits_for_warmup() && has_latest_ &&
        latest_.dimensions(static_cast<int>(i)).state() != v1::DIMENSION_STATE_UNKNOWN) {
      *score = latest_.dimensions(static_cast<int>(i));
      if (!score->explanation().starts_with(kCarriedPrefix)) {
        score->set_explanation(absl::StrCat(AsAbsl(kCarriedPrefix), score->explanation()));
      }
    }
  }
  Combined combined = Combine(report.dimensions());
  // A job its owner finished or canceled is not graded: no score, no
  // alert; the report still shows what its metrics said last.
  const JobLifecycle state = lifecycle_.state();
  if (EndedOnPurpose(state)) combined.score = NAN;
  const bool known = !std::isnan(combined.score) && combined.confidence >= config_->min_confidence;
  const Grade grade = EndedOnPurpose(state)
                          ? grade_.Reset()
                          : grade_.Update(combined.score, known, interval.end_ms());

  report.set_job_id(job_id_);
  report.set_job_name(job_name_);
  report.set_tenant(tenant_);
  report.set_cluster(cluster_);
  report.set_evaluated_at_ms(now_ms);
  report.set_interval_start_ms(interval.start_ms());
  report.set_score(combined.score);
  report.set_confidence(combined.confidence);
  report.set_warming_up(ctx.warming_up());
  report.set_grade(std::string(GradeName(grade)));
  report.set_state(std::string(JobLifecycleName(state)));
  report.set_state_since_ms(lifecycle_.since_ms());
  report.set_state_duration_ms(std::max<int64_t>(0, interval.end_ms() - lifecycle_.since_ms()));
  topology_.Fill(report.mutable_topology());
  // A running job's diagnosis is its dimensions'; any other state comes
  // first ("job restarting for 40 s. …", "job finished 2 min ago: …").
  const double in_state_ms = static_cast<double>(report.state_duration_ms());
  if (state == JobLifecycle::kRunning) {
    report.set_diagnosis(Diagnose(report.dimensions(), ctx, warmup_.reason()));
  } else if (EndedOnPurpose(state)) {
    report.set_diagnosis(absl::StrCat("job ", AsAbsl(JobLifecycleName(state)), " ",
                                      Ago(in_state_ms), ": not graded"));
  } else {
    report.set_diagnosis(absl::StrCat("job ", AsAbsl(JobLifecycleName(state)), " for ",
                                      Duration(in_state_ms), ". ",
                                      Diagnose(report.dimensions(), ctx, warmup_.reason())));
  }

  if (!std::isnan(combined.score)) {
    if (config_->history_points > 0 && history_.size() >= config_->history_points) {
      // The oldest point makes room and is reused, its map nodes with it.
      v1::HistoryPoint oldest = std::move(history_.front());
      history_.pop_front();
      history_.push_back(std::move(oldest));
    } else {
      history_.emplace_back();
    }
    v1::HistoryPoint& point = history_.back();
    point.set_at_ms(interval.end_ms());
    point.set_score(combined.score);
    point.set_cluster(cluster_);
    point.set_job_id(job_id_);
    // Judged: no warm-up stood in for a dimension's data, and enough of
    // the weight had data. Rollback verdicts count only judged points.
    point.set_unjudged(ctx.warming_up() || !known);
    auto& dimensions = *point.mutable_dimensions();
    size_t known_dimensions = 0;
    for (const v1::DimensionScore& d : report.dimensions()) {
      if (d.state() != v1::DIMENSION_STATE_UNKNOWN) {
        dimensions[d.dimension()] = d.score();
        ++known_dimensions;
      }
    }
    if (dimensions.size() != known_dimensions) {  // a reused point's others
      dimensions.clear();
      for (const v1::DimensionScore& d : report.dimensions()) {
        if (d.state() != v1::DIMENSION_STATE_UNKNOWN) dimensions[d.dimension()] = d.score();
      }
    }
    while (history_.size() > config_->history_points) history_.pop_front();
  }
  latest_.Swap(&spare_);
  has_latest_ = true;
}

std::optional<v1::HealthReport> JobScorer::NoteSilence(int64_t data_now_ms, int64_t now_ms,
                                                       absl::Duration after) {
  if (!has_latest_ || last_interval_end_ms_ <= 0) return std::nullopt;
  if (data_now_ms - last_interval_end_ms_ < absl::ToInt64Milliseconds(after)) return std::nullopt;
  const std::string_view not_reporting = JobLifecycleName(JobLifecycle::kNotReporting);
  if (latest_.state() == not_reporting) return std::nullopt;
  for (JobLifecycle ended :
       {JobLifecycle::kFailed, JobLifecycle::kCanceled, JobLifecycle::kFinished}) {
    if (latest_.state() == JobLifecycleName(ended)) return std::nullopt;
  }
  latest_.set_state(std::string(not_reporting));
  latest_.set_state_since_ms(last_interval_end_ms_);
  latest_.set_state_duration_ms(now_ms - last_interval_end_ms_);
  latest_.set_evaluated_at_ms(now_ms);
  latest_.set_diagnosis(absl::StrCat("job not reporting: no metrics since ",
                                     Ago(static_cast<double>(now_ms - last_interval_end_ms_)),
                                     "; last graded: ", latest_.diagnosis()));
  return latest_;
}

void JobScorer::RestoreHistory(const v1::JobState& state) {
  history_.clear();
  const int n = state.history_size();
  const int from = std::max(0, n - static_cast<int>(config_->history_points));
  int64_t newest = 0;
  for (int i = from; i < n; ++i) {
    history_.push_back(state.history(i));
    newest = std::max(newest, state.history(i).at_ms());
  }
  last_interval_end_ms_ = std::max(last_interval_end_ms_, newest);
  window_.set_closed_until_ms(std::max(window_.closed_until_ms(), newest));
  if (!state.last_job_id().empty()) {
    job_id_ = state.last_job_id();
    warmup_.set_last_job_id(state.last_job_id());
  }
  if (!state.last_cluster().empty()) cluster_ = state.last_cluster();
  if (job_name_.empty()) job_name_ = state.job_name();
  if (state.has_latest() && !has_latest_) {
    latest_ = state.latest();
    has_latest_ = true;
  }
}

}  // namespace vitals::scorer
