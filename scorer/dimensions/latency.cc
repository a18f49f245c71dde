#include "scorer/dimensions/latency.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
namespace {

// Before the first watermark Flink reports a lag near Long.MAX_VALUE: no
// real lag is a century long.
constexpr double kMaxPlausibleLagMs = 100.0 * 365 * 24 * 3600 * 1000;

// Highest priority first: FLIP-33 pendingRecords is a source's own total;
// records-lag-max is per reader the worst partition, a lower bound.
constexpr std::string_view kPendingMetrics[] = {
    "pendingRecords",
    "KafkaSourceReader_KafkaConsumer_records_lag_max",
    "KafkaConsumer_records_lag_max",
};

constexpr std::string_view kEventLagMetrics[] = {
    "currentEmitEventTimeLag",
    "watermarkLag",
    "millisBehindLatest",
};

struct SourceBacklog {
  std::string_view task;
  std::string_view op;
  size_t priority;
  double pending;
};

bool SameOperator(const v1::SeriesAggregate& s, const SourceBacklog& b) {
  return TaskNameOf(s) == b.task && OperatorNameOf(s) == b.op;
}

double OperatorRateOf(const MergedInterval& interval, std::string_view metric,
                      const SourceBacklog& b) {
  double rate = kMissing;
  for (const v1::SeriesAggregate* s : interval.Find(metric)) {
    if (s->scope() == v1::SCOPE_TASKMANAGER_JOB_TASK || !SameOperator(*s, b)) continue;
    const double r = NonNegativeSumOf(*s);
    if (Has(r)) rate = Has(rate) ? rate + r : r;
  }
  return rate;
}

// The operator's input rate: numRecordsInPerSecond, else its output rate
// (sources count what they emit).
double InputRateOf(const MergedInterval& interval, const SourceBacklog& b) {
  const double in = OperatorRateOf(interval, "numRecordsInPerSecond", b);
  if (Has(in) && in > 0) return in;
  const double out = OperatorRateOf(interval, "numRecordsOutPerSecond", b);
  if (Has(out) && out > 0) return out;
  return Has(in) || Has(out) ? 0.0 : kMissing;
}

}  // namespace

void LatencyDimension::DeclareReads(MetricSelector& reads) const {
  reads.AddName("pendingRecords");
  reads.AddName("KafkaSourceReader_KafkaConsumer_records_lag_max");
  reads.AddName("KafkaConsumer_records_lag_max");
  reads.AddName("currentEmitEventTimeLag");
  reads.AddName("watermarkLag");
  reads.AddName("millisBehindLatest");
  reads.AddName("numRecordsInPerSecond");
  reads.AddName("numRecordsOutPerSecond");
}

void LatencyDimension::Observe(const MergedInterval& interval) {
  LatencySample sample;
  for (std::string_view metric : kEventLagMetrics) {
    for (const v1::SeriesAggregate* s : interval.Find(metric)) {
      const double ms = NonNegativeMaxOf(*s);
      if (!Has(ms) || ms > kMaxPlausibleLagMs) continue;
      const double sec = ms / 1000.0;
      sample.event_lag_s = Has(sample.event_lag_s) ? std::max(sample.event_lag_s, sec) : sec;
    }
  }

  std::vector<SourceBacklog> sources;
  for (size_t p = 0; p < std::size(kPendingMetrics); ++p) {
    for (const v1::SeriesAggregate* s : interval.Find(kPendingMetrics[p])) {
      const double pending = NonNegativeSumOf(*s);
      if (!Has(pending)) continue;
      SourceBacklog key{TaskNameOf(*s), OperatorNameOf(*s), p, pending};
      auto it = std::find_if(sources.begin(), sources.end(), [&](const SourceBacklog& b) {
        return b.task == key.task && b.op == key.op;
      });
      if (it == sources.end()) {
        sources.push_back(key);
      } else if (it->priority == p) {
        it->pending += pending;  // further label sets (topic, …) of one source
      }
    }
  }
  for (const SourceBacklog& b : sources) {
    const double rate = InputRateOf(interval, b);
    double seconds;
    if (b.pending == 0) {
      seconds = 0;
    } else if (!Has(rate)) {
      continue;  // cannot turn records into time
    } else if (rate == 0) {
      seconds = std::numeric_limits<double>::infinity();
    } else {
      seconds = b.pending / rate;
    }
    if (!Has(sample.backlog_s) || seconds > sample.backlog_s) {
      sample.backlog_s = seconds;
      sample.pending = b.pending;
      sample.rate = rate;
      sample.source = std::string(b.op);
    }
  }
  if (Has(sample.event_lag_s) || Has(sample.backlog_s)) {
    Keep(interval, std::move(sample));
  }
}

v1::DimensionScore LatencyDimension::Score(const EvalContext& ctx) const {
  // Sustained: the smallest value over the last `sustain` of judged data;
  // the newest judged interval counts even when `sustain` is shorter.
  const Entry* newest = NewestJudged(ctx);
  const int64_t newest_end = newest != nullptr ? newest->end_ms : 0;
  const int64_t sustain_from =
      std::min(newest_end - absl::ToInt64Milliseconds(config().sustain), newest_end - 1);
  Figure event_lags;
  double backlog = kMissing;
  const LatencySample* backlog_sample = nullptr;
  const uint32_t intervals = ForEachJudged(ctx, [&](const Entry& e) {
    if (e.end_ms <= sustain_from) return;
    const LatencySample& v = e.value;
    event_lags.Add(v.event_lag_s);
    // Ties go to the newest interval, whose source and rates the text names.
    if (Has(v.backlog_s) && (!Has(backlog) || v.backlog_s <= backlog)) {
      backlog = v.backlog_s;
      backlog_sample = &v;
    }
  });
  if (intervals < ctx.min_intervals) {
    return NotEnoughData(ctx,
                         "not enough data: no source lag metrics "
                         "(pendingRecords, records-lag-max, "
                         "currentEmitEventTimeLag, watermarkLag)");
  }
  const double event_lag = event_lags.min;
  const Signal signals[] = {
      {event_lag, &config().event_time_lag_seconds, "s"},
      {backlog, &config().backlog_seconds, "s"},
  };
  v1::DimensionScore out = GradeSignals(name(), weight(), signals);
  if (out.state() == v1::DIMENSION_STATE_UNKNOWN) {
    out.set_explanation("no source lag reported in the last " +
                        Duration(static_cast<double>(absl::ToInt64Milliseconds(config().sustain))));
    return out;
  }
  std::string text = out.state() == v1::DIMENSION_STATE_OK ? "keeping up" : "falling behind";
  const char* sep = ": ";
  if (Has(event_lag)) {
    absl::StrAppend(&text, sep, "event-time lag ", Duration(event_lag * 1000));
    sep = "; ";
  }
  if (backlog_sample != nullptr) {
    const LatencySample& b = *backlog_sample;
    if (std::isinf(b.backlog_s)) {
      absl::StrAppend(&text, sep, "source '", b.source, "' stalled: ", Quantity(b.pending),
                      " records pending and none read");
    } else if (b.pending == 0) {
      absl::StrAppend(&text, sep, "no records pending");
    } else {
      absl::StrAppend(&text, sep, Quantity(b.pending), " records pending on '", b.source, "' at ",
                      Quantity(b.rate), " rec/s = ", Duration(b.backlog_s * 1000), " to catch up");
    }
  }
  absl::StrAppend(&text, " (lowest of the last ",
                  Duration(static_cast<double>(absl::ToInt64Milliseconds(config().sustain))), ")");
  out.set_explanation(std::move(text));
  return out;
}

}  // namespace vitals::scorer
