#include "scorer/waves/wave_metrics.h"

#include "common/metrics/register.h"
#include "scorer/waves/wave_verdict.h"

namespace vitals::scorer {

WaveMetrics::WaveMetrics(prometheus::Registry& registry)
    : verdicts_(prometheus::BuildGauge()
                    .Name("vitals_scorer_wave_job_verdict")
                    .Help("1 for each job this replica owns of each recent wave, labelled with "
                          "the job's verdict in the wave.")
                    .Register(registry)),
      waves_(metrics::AddGauge(registry, "vitals_scorer_waves",
                               "Waves (batch migrations) the replica knows.")),
      caught_up_(metrics::AddGauge(registry, "vitals_scorer_waves_caught_up",
                                   "1 once the replica has read the waves topic up to where it "
                                   "ended when first read, else 0.")) {}

void WaveMetrics::Update(const WaveBook& book, const OwnedVerdict& verdict, int64_t now_ms,
                         bool caught_up) {
  const int64_t since = now_ms - absl::ToInt64Milliseconds(kWaveMetricsWindow);
  std::set<Labels> now;
  for (const v1::Wave& wave : book.List()) {
    if (wave.at() < since) break;  // newest first
    for (const std::string& job : wave.jobs()) {
      std::optional<v1::RollbackVerdict> v = verdict(job);
      if (!v) continue;
      // Where the job's migrations took it: the wave's `to` while it is
      // there, its `from` once rolled back (what an alert names).
      const v1::Migration& newest = v->migration();
      const std::string& cluster = newest.at() >= wave.at() ? newest.to() : wave.from();
      now.insert(Labels{{"wave", wave.name()},
                        {"job_name", job},
                        {"cluster", cluster},
                        {"verdict", JudgeWaveJob(wave, job, *v).verdict()}});
    }
  }
  absl::MutexLock lock(&mu_);
  for (const Labels& gone : exported_) {
    if (!now.contains(gone)) verdicts_.Remove(&verdicts_.Add(gone));
  }
  for (const Labels& labels : now) verdicts_.Add(labels).Set(1);
  exported_ = std::move(now);
  waves_.Set(static_cast<double>(book.size()));
  caught_up_.Set(caught_up ? 1 : 0);
}

}  // namespace vitals::scorer
