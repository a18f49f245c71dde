#pragma once

// Pulls Flink PrometheusReporter endpoints (:9249/metrics) listed in
// Prometheus file_sd files and feeds their samples to the sink (the
// aggregator) as the Pushgateway path would (scrape_ingest.h). The files
// are re-read when they change (target_set.h); each target is scraped on
// its own schedule (target_loop.h). Config keys and self-metrics are in
// README.md beside this file.
//
// Threads: one per target, capped by `max_targets`, plus one refresher.
// The HTTP client blocks, so a scrape holds a thread for up to its
// timeout; with a thread per target a hung or blackholed target holds only
// its own, and no healthy target's scrape ever waits behind it. A shared
// pool would need as many threads as there can be hung targets to promise
// the same, and a node runs tens of Flink processes, not thousands: the
// threads sleep between scrapes and cost a stack each.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/base/clock.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/scrape/scrape_metrics.h"
#include "gateway/receivers/scrape/scrape_options.h"
#include "gateway/receivers/scrape/target_loop.h"
#include "gateway/receivers/scrape/target_set.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class Scraper {
 public:
  using Clock = vitals::Clock;

  // `sink` must be thread-safe (the aggregator is): targets feed it
  // concurrently, through process attribution with `processes`. The
  // self-metrics are registered in `registry`.
  Scraper(ScrapeOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
          IngestMetrics* ingest, prometheus::Registry& registry, Clock clock);
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // Reads the file_sd files once (a bad or missing file is logged, not
  // fatal: files may appear later) and starts scraping. InvalidArgument
  // for bad options. Not after Shutdown.
  absl::Status Start();
  // Stops the refresher and every loop and waits for scrapes in flight
  // (each ends within its timeout). Safe without Start and safe twice.
  void Shutdown();

  // Re-reads the files now instead of at the next refresh_interval.
  void Refresh();
  // Targets being scraped.
  size_t targets() const;

 private:
  void RefreshLoop();
  void Apply(const TargetDiff& diff);  // under mu_

  const ScrapeOptions options_;
  ScrapeMetrics metrics_;
  TargetLoop::Context context_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  TargetSet target_set_;
  std::map<std::string, std::unique_ptr<TargetLoop>> loops_;
  // Removed targets whose last scrape may still be in flight.
  std::vector<std::unique_ptr<TargetLoop>> retiring_;
  size_t over_cap_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace vitals::gateway
