#include "scorer/dimensions/job_lifecycle.h"

#include <algorithm>
#include <array>

#include "scorer/window/series_values.h"

namespace vitals::scorer {
namespace {

// The statuses Flink's JobStatusMetrics registers gauges for, in the order
// of JobLifecycleTracker::previous_totals_.
struct GaugeStatus {
  std::string_view state_gauge;
  std::string_view time_gauge;
  std::string_view total_gauge;
  JobLifecycle state;
};
constexpr std::array<GaugeStatus, 6> kGaugeStatuses = {{
    {"initializingState", "initializingTime", "initializingTimeTotal", JobLifecycle::kInitializing},
    {"createdState", "createdTime", "createdTimeTotal", JobLifecycle::kCreated},
    {"runningState", "runningTime", "runningTimeTotal", JobLifecycle::kRunning},
    {"failingState", "failingTime", "failingTimeTotal", JobLifecycle::kFailing},
    {"cancellingState", "cancellingTime", "cancellingTimeTotal", JobLifecycle::kCancelling},
    {"restartingState", "restartingTime", "restartingTimeTotal", JobLifecycle::kRestarting},
}};

// The newest value of a job gauge (one JobManager reports it; after a
// JobManager failover the newest source wins) and when it was taken.
bool Newest(const MergedInterval& interval, std::string_view metric, double* value,
            int64_t* at_ms) {
  bool found = false;
  for (const v1::SeriesAggregate* s : interval.Find(metric)) {
    if (s->scope() != v1::SCOPE_JOBMANAGER_JOB && s->scope() != v1::SCOPE_UNSPECIFIED) continue;
    const double v = LastOf(*s);
    if (!Has(v)) continue;
    if (!found || s->last_timestamp_ms() > *at_ms) {
      *value = v;
      *at_ms = s->last_timestamp_ms();
      found = true;
    }
  }
  return found;
}

// The terminal state a job that stopped reporting a current status ended
// in, judged by the state it was in before.
JobLifecycle TerminalAfter(JobLifecycle before) {
  switch (before) {
    case JobLifecycle::kFailing:
    case JobLifecycle::kRestarting:
    case JobLifecycle::kInitializing:
    case JobLifecycle::kCreated:
      return JobLifecycle::kFailed;
    case JobLifecycle::kCancelling:
      return JobLifecycle::kCanceled;
    case JobLifecycle::kFailed:
    case JobLifecycle::kCanceled:
    case JobLifecycle::kFinished:
      return before;
    case JobLifecycle::kRunning:
    case JobLifecycle::kNotReporting:
      break;
  }
  return JobLifecycle::kFinished;
}

}  // namespace

std::string_view JobLifecycleName(JobLifecycle state) {
  switch (state) {
    case JobLifecycle::kNotReporting:
      return "not_reporting";
    case JobLifecycle::kInitializing:
      return "initializing";
    case JobLifecycle::kCreated:
      return "created";
    case JobLifecycle::kRunning:
      return "running";
    case JobLifecycle::kRestarting:
      return "restarting";
    case JobLifecycle::kFailing:
      return "failing";
    case JobLifecycle::kCancelling:
      return "cancelling";
    case JobLifecycle::kFailed:
      return "failed";
    case JobLifecycle::kCanceled:
      return "canceled";
    case JobLifecycle::kFinished:
      return "finished";
  }
  return "not_reporting";
}

bool EndedOnPurpose(JobLifecycle state) {
  return state == JobLifecycle::kFinished || state == JobLifecycle::kCanceled;
}

bool IsTerminal(JobLifecycle state) {
  return EndedOnPurpose(state) || state == JobLifecycle::kFailed;
}

void JobLifecycleTracker::DeclareReads(MetricSelector& reads) {
  reads.AddName("uptime");
  reads.AddName("downtime");
  for (const GaugeStatus& status : kGaugeStatuses) {
    reads.AddName(status.state_gauge);
    reads.AddName(status.time_gauge);
    reads.AddName(status.total_gauge);
  }
}

JobLifecycleTracker::Reading JobLifecycleTracker::Read(const MergedInterval& interval) {
  Reading r;
  // Totals first: they are kept up to date whichever gauges decide.
  bool any_total = false;
  bool totals_comparable = true;
  int grew = -1, largest = -1;
  double most = 0, largest_total = 0;
  for (size_t i = 0; i < kGaugeStatuses.size(); ++i) {
    double v = 0;
    int64_t at = 0;
    if (!Newest(interval, kGaugeStatuses[i].total_gauge, &v, &at)) continue;
    any_total = true;
    const double before = previous_totals_[i];
    // A total below the previous one: a new JobManager counts from 0.
    if (before < 0 || v < before) totals_comparable = false;
    if (before >= 0 && v - before > most) {
      most = v - before;
      grew = static_cast<int>(i);
    }
    if (v > largest_total) {
      largest_total = v;
      largest = static_cast<int>(i);
    }
    previous_totals_[i] = v;
  }

  bool any_current_gauge = false;
  int current = -1;  // by <status>State
  int timed = -1;    // by <status>Time
  for (size_t i = 0; i < kGaugeStatuses.size(); ++i) {
    double v = 0;
    int64_t at = 0;
    if (Newest(interval, kGaugeStatuses[i].state_gauge, &v, &at)) {
      any_current_gauge = true;
      if (v >= 0.5) current = static_cast<int>(i);
    }
    if (Newest(interval, kGaugeStatuses[i].time_gauge, &v, &at)) {
      any_current_gauge = true;
      // Only the current status reads above 0; should two (a stale
      // source), the shorter stint is the newer one.
      if (v > 0 && (timed < 0 || v < r.in_state_ms)) {
        timed = static_cast<int>(i);
        r.in_state_ms = v;
        r.at_ms = at;
      }
    }
  }
  if (current >= 0 || timed >= 0) {
    r.has = true;
    r.state = kGaugeStatuses[current >= 0 ? current : timed].state;
    if (current >= 0 && timed != current) r.in_state_ms = -1;
    return r;
  }
  if (any_current_gauge) {
    // Every status gauge at 0: the job is in a terminal state.
    r.has = true;
    r.ended = true;
    return r;
  }
  if (any_total) {
    r.has = true;
    if (grew >= 0) {
      r.state = kGaugeStatuses[grew].state;
    } else if (totals_comparable) {
      r.ended = true;
    } else if (seen_state_) {
      r.state = state_;  // a reset: no change to tell yet
    } else if (largest >= 0) {
      // First sight: no change to tell yet; the status the job spent most
      // of its life in is the best guess (it is running, for most jobs).
      r.state = kGaugeStatuses[largest].state;
    } else {
      r.has = false;
    }
    return r;
  }

  double up = 0, down = 0;
  int64_t up_at = 0, down_at = 0;
  const bool has_up = Newest(interval, "uptime", &up, &up_at);
  const bool has_down = Newest(interval, "downtime", &down, &down_at);
  if (!has_up && !has_down) return r;
  r.has = true;
  if ((has_up && up < 0) || (has_down && down < 0)) {
    r.ended = true;
  } else if (has_up && up > 0) {
    r.state = JobLifecycle::kRunning;
    r.in_state_ms = up;
    r.at_ms = up_at;
  } else if (has_down && down > 0) {
    // FAILING or RESTARTING: these versions cannot tell them apart.
    r.state = JobLifecycle::kRestarting;
    r.in_state_ms = down;
    r.at_ms = down_at;
  } else {
    // Not running and not failing: not yet started, or restarting without
    // a FAILING phase (DownTimeGauge reads 0 then too).
    const bool was_up = state_ == JobLifecycle::kRunning || state_ == JobLifecycle::kRestarting ||
                        state_ == JobLifecycle::kFailing;
    r.state = was_up ? JobLifecycle::kRestarting : JobLifecycle::kCreated;
  }
  return r;
}

void JobLifecycleTracker::Enter(JobLifecycle state, int64_t since_ms) {
  state_ = state;
  since_ms_ = since_ms;
}

void JobLifecycleTracker::Observe(const MergedInterval& interval) {
  entered_running_at_ms_ = -1;
  const Reading r = Read(interval);
  if (!r.has) {
    running_share_ = kMissing;
    if (silent_intervals_++ == 0) silent_since_ms_ = interval.start_ms();
    // A job that ended stays ended when its gauges go (they do soon after).
    const bool silent = !seen_state_ || silent_intervals_ >= kSilentIntervals;
    if (silent && !IsTerminal(state_) && (state_ != JobLifecycle::kNotReporting || !seen_any_)) {
      Enter(JobLifecycle::kNotReporting, silent_since_ms_);
    }
    seen_any_ = true;
    return;
  }
  seen_any_ = true;
  silent_intervals_ = 0;
  const JobLifecycle before = state_;
  if (r.ended) {
    const JobLifecycle terminal = TerminalAfter(seen_state_ ? before : JobLifecycle::kRunning);
    if (terminal != before) Enter(terminal, interval.start_ms());
    running_share_ = EndedOnPurpose(terminal) ? kMissing : 0.0;
    seen_state_ = true;
    return;
  }

  int64_t since = r.state == before ? since_ms_ : interval.start_ms();
  if (r.in_state_ms >= 0) since = r.at_ms - static_cast<int64_t>(r.in_state_ms);
  if (r.state == JobLifecycle::kRunning) {
    // A restart shorter than a report interval shows only as a running
    // time that started over; pushes replayed at boundaries move the
    // estimate by up to an interval, so a smaller jump is no restart.
    const bool started_over = before == JobLifecycle::kRunning && r.in_state_ms >= 0 &&
                              since > since_ms_ + interval.length_ms() + interval.length_ms() / 2;
    if (before != JobLifecycle::kRunning || started_over) {
      entered_running_at_ms_ = since;
      entered_running_from_ = before;
    }
    running_share_ = 1.0;
    // At first sight the time before RUNNING is time before the job was
    // seen at all, not time it failed to run.
    if (r.in_state_ms >= 0 && interval.length_ms() > 0 && before != JobLifecycle::kNotReporting) {
      running_share_ =
          std::clamp(r.in_state_ms / static_cast<double>(interval.length_ms()), 0.0, 1.0);
    }
  } else {
    // Cancelling is the owner stopping the job, not a failure to run.
    running_share_ = r.state == JobLifecycle::kCancelling ? kMissing : 0.0;
  }
  Enter(r.state, since);
  seen_state_ = true;
}

}  // namespace vitals::scorer
