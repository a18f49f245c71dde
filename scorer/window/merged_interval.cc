#include "scorer/window/merged_interval.h"

#include <algorithm>
#include <utility>

#include "common/base/prom_chars.h"

namespace vitals::scorer {
namespace {

std::string_view MetricOf(const v1::SeriesAggregate* s) { return s->metric(); }

bool Before(std::string_view a, std::string_view b) { return MetricBefore(a, b); }

struct ByMetric {
  bool operator()(const v1::SeriesAggregate* a, std::string_view b) const {
    return Before(MetricOf(a), b);
  }
  bool operator()(std::string_view a, const v1::SeriesAggregate* b) const {
    return Before(a, MetricOf(b));
  }
  bool operator()(const v1::SeriesAggregate* a, const v1::SeriesAggregate* b) const {
    return Before(MetricOf(a), MetricOf(b));
  }
};

}  // namespace

// Cheaper than lexicographic order for names that share long prefixes
// (`Status_JVM_…`), and any consistent order serves a lookup.
bool MetricBefore(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

void ProcessSharing::Add(uint32_t process_count, uint32_t shared, uint32_t max_jobs) {
  processes += process_count;
  shared_processes += shared;
  max_jobs_per_process = std::max(max_jobs_per_process, max_jobs);
}

bool IsCanonicalMetricName(std::string_view metric) { return IsPromSafe(metric); }

std::string CanonicalMetricName(std::string_view metric) {
  std::string out(metric);
  FilterPromChars(out);
  return out;
}

MergedInterval::MergedInterval(int64_t start_ms, int64_t length_ms, std::string job_id,
                               std::string cluster, std::unique_ptr<SeriesLease> lease,
                               std::vector<const v1::SeriesAggregate*> series)
    : start_ms_(start_ms),
      length_ms_(length_ms),
      job_id_(std::move(job_id)),
      cluster_(std::move(cluster)),
      lease_(std::move(lease)),
      by_metric_(std::move(series)) {}

MergedInterval::MergedInterval(int64_t start_ms, int64_t length_ms, std::string job_id,
                               std::string cluster, std::vector<v1::SeriesAggregate> series)
    : start_ms_(start_ms),
      length_ms_(length_ms),
      job_id_(std::move(job_id)),
      cluster_(std::move(cluster)),
      owned_(std::move(series)) {
  by_metric_.reserve(owned_.size());
  for (const v1::SeriesAggregate& s : owned_) by_metric_.push_back(&s);
  Index();
}

void MergedInterval::Index() { std::sort(by_metric_.begin(), by_metric_.end(), ByMetric()); }

std::span<const v1::SeriesAggregate* const> MergedInterval::Find(std::string_view metric) const {
  auto [lo, hi] = std::equal_range(by_metric_.begin(), by_metric_.end(), metric, ByMetric());
  return {lo, hi};
}

}  // namespace vitals::scorer
