#pragma once

// The waves' self-metrics of a replica:
//  - `vitals_scorer_wave_job_verdict{wave,job_name,cluster,verdict} 1` for
//    each job this replica owns of each wave whose `at` lies within the
//    last kWaveMetricsWindow (keep | rollback | insufficient_data |
//    rolled_back, as `GET /api/v1/waves/<wave>` says; `cluster` where the
//    job's newest migration took it): summed over the replicas it is the
//    whole wave, with no replica asking another; joined with
//    `vitals_job_info` it routes a rollback to the job's team;
//  - `vitals_scorer_waves`: waves in the book;
//  - `vitals_scorer_waves_caught_up`: 1 once the waves topic has been read.
// Update() runs before each scrape.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "scorer/waves/wave_book.h"
#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

// Waves older than this have no verdict series: a wave is watched for days,
// and each wave's series cost one per job.
inline constexpr absl::Duration kWaveMetricsWindow = absl::Hours(24 * 7);

class WaveMetrics {
 public:
  // A job's rollback verdict; nullopt when this replica does not own it.
  using OwnedVerdict = std::function<std::optional<v1::RollbackVerdict>(const std::string& job)>;

  explicit WaveMetrics(prometheus::Registry& registry);

  // Thread-safe (concurrent scrapes).
  void Update(const WaveBook& book, const OwnedVerdict& verdict, int64_t now_ms, bool caught_up)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Labels = std::map<std::string, std::string>;
  absl::Mutex mu_;
  prometheus::Family<prometheus::Gauge>& verdicts_;
  std::set<Labels> exported_ ABSL_GUARDED_BY(mu_);
  prometheus::Gauge& waves_;
  prometheus::Gauge& caught_up_;
};

}  // namespace vitals::scorer
