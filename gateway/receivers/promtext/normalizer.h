#pragma once

// Maps Prometheus-shaped samples (PrometheusPushGatewayReporter pushes and
// PrometheusReporter scrapes) onto Flink identities: the family prefix
// `flink_<scope>_` gives the scope, the rest the canonical metric name, and
// the labels job_id/job_name the job. Samples of non-Flink families pass
// through under their own name with SCOPE_UNSPECIFIED. Process-level
// samples (JobManager, TaskManager) name no job and leave without one:
// process attribution (gateway/attribute/) finds their jobs.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/flink_sample.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway {

// Splits a PrometheusReporter family name into scope and metric, checking
// the scope against the labels present (a TaskManager metric whose own name
// starts with `job_` must not be read as job-scoped). Returns false for
// names without the `flink_` prefix.
bool SplitFlinkFamily(std::string_view family, std::span<const LabelView> labels, v1::Scope* scope,
                      std::string_view* metric);

// Strips Flink's randomJobNameSuffix (32 hex characters appended to the
// configured job name with no separator) from a Pushgateway group job.
std::string_view StripRandomJobNameSuffix(std::string_view group_job);

class PromNormalizer : public SampleSink {
 public:
  explicit PromNormalizer(FlinkSampleSink* next) : next_(next) {}

  // Per request: where the samples came from, the arrival time (pushed
  // text carries no timestamps) and the cluster the sender names.
  void Reset(std::string_view source, int64_t now_ms, std::string_view cluster = {});

  void OnSample(const SampleView& sample) override;

 private:
  // The value itself when it is already filtered, else a filtered copy.
  std::string_view Filtered(std::string_view value);

  FlinkSampleSink* next_;
  std::string_view source_;
  std::string_view cluster_;
  int64_t now_ms_ = 0;
  std::vector<LabelView> labels_;
  // Filtered label values; a deque keeps earlier strings in place as it grows.
  std::deque<std::string> scratch_;
};

}  // namespace vitals::gateway
