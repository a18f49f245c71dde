#pragma once

// The scraper's self-metrics, `up`-style per target as Prometheus keeps them
// for its own targets:
//   vitals_gateway_scrape_target_up{target}            1/0, last scrape
//   vitals_gateway_scrape_duration_seconds{target}     last scrape
//   vitals_gateway_scrape_samples{target}              last scrape's samples
//   vitals_gateway_scrape_targets                      targets being scraped
//   vitals_gateway_scrapes_total{result}               every scrape, by result
// A target's series go when it leaves file_sd, so that alerts on `up == 0`
// resolve with it.

#include <string>
#include <string_view>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class ScrapeMetrics {
 public:
  explicit ScrapeMetrics(prometheus::Registry& registry);

  // One target's series. Created down (up 0) until its first scrape.
  struct TargetSeries {
    prometheus::Gauge* up = nullptr;
    prometheus::Gauge* duration = nullptr;
    prometheus::Gauge* samples = nullptr;
  };
  TargetSeries AddTarget(const std::string& target);
  // Invalidates the pointers AddTarget returned for these series.
  void RemoveTarget(const TargetSeries& series);

  void CountScrape(std::string_view result);
  void SetTargets(double n) { targets_->Set(n); }

 private:
  prometheus::Family<prometheus::Gauge>& up_;
  prometheus::Family<prometheus::Gauge>& duration_;
  prometheus::Family<prometheus::Gauge>& samples_;
  prometheus::Family<prometheus::Counter>& scrapes_;
  prometheus::Gauge* targets_;
};

}  // namespace vitals::gateway
