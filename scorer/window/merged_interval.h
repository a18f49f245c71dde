#pragma once

// One closed interval of one job: every gateway's aggregates for it merged
// into job-wide series, indexed by canonical metric name so that each
// dimension finds its inputs without scanning the whole interval.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer {

// The canonical spelling of a Flink metric name: every character outside
// [a-zA-Z0-9:_] becomes `_` (what Flink's PrometheusReporter does), so that
// `Status.JVM.CPU.Load` and `Status_JVM_CPU_Load` are one metric.
std::string CanonicalMetricName(std::string_view metric);
bool IsCanonicalMetricName(std::string_view metric);

// Where a job's process-scope series (JVM GC, CPU) came from in one
// interval, summed over gateways (MetricBatch.processes and after).
struct ProcessSharing {
  uint32_t processes = 0;
  // Processes that also run other jobs (session cluster): their JVM
  // figures are the whole process's, not this job's alone.
  uint32_t shared_processes = 0;
  uint32_t max_jobs_per_process = 0;

  // Adds one gateway's figures.
  void Add(uint32_t process_count, uint32_t shared, uint32_t max_jobs);
};

// Keeps a closed interval's series alive, and hands their storage back to
// the window that merged them when the interval is done with.
class SeriesLease {
 public:
  virtual ~SeriesLease() = default;
};

// The order of MergedInterval::series(): by metric name's length, then
// its bytes (names share long prefixes: length tells most apart).
bool MetricBefore(std::string_view a, std::string_view b);

class MergedInterval {
 public:
  // `series` are merged already (one per identity), carry canonical metric
  // names, are in MetricBefore order of their metric and live as long as
  // `lease`, which the interval keeps.
  MergedInterval(int64_t start_ms, int64_t length_ms, std::string job_id, std::string cluster,
                 std::unique_ptr<SeriesLease> lease,
                 std::vector<const v1::SeriesAggregate*> series);
  // The same from plain values (tests, tools).
  MergedInterval(int64_t start_ms, int64_t length_ms, std::string job_id, std::string cluster,
                 std::vector<v1::SeriesAggregate> series);

  MergedInterval(MergedInterval&&) = default;
  MergedInterval& operator=(MergedInterval&&) = default;

  int64_t start_ms() const { return start_ms_; }
  int64_t length_ms() const { return length_ms_; }
  int64_t end_ms() const { return start_ms_ + length_ms_; }
  const std::string& job_id() const { return job_id_; }
  const std::string& cluster() const { return cluster_; }
  const ProcessSharing& sharing() const { return sharing_; }
  void set_sharing(const ProcessSharing& sharing) { sharing_ = sharing; }

  // Every series of `metric` (canonical name), whatever its scope and labels.
  std::span<const v1::SeriesAggregate* const> Find(std::string_view metric) const;
  // Every series, those of one metric next to each other.
  std::span<const v1::SeriesAggregate* const> series() const { return by_metric_; }

 private:
  void Index();

  int64_t start_ms_;
  int64_t length_ms_;
  std::string job_id_;
  std::string cluster_;
  ProcessSharing sharing_;
  // Owners of the series: one or the other.
  std::unique_ptr<SeriesLease> lease_;
  std::vector<v1::SeriesAggregate> owned_;
  std::vector<const v1::SeriesAggregate*> by_metric_;
};

}  // namespace vitals::scorer
