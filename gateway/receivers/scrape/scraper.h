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

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/base/clock.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/receiver.h"
#include "gateway/receivers/scrape/scrape_metrics.h"
#include "gateway/receivers/scrape/scrape_options.h"
#include "gateway/receivers/scrape/target_loop.h"
#include "gateway/receivers/scrape/target_set.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class Scraper final : public Receiver {
 public:
  using Clock = vitals::Clock;
  using Options = ScrapeOptions;
  static constexpr std::string_view kSection = "scrape";
  static void DeclareKeys(config::Keys& keys, Options& options) {
    DeclareScrapeKeys(keys, options);
  }
  static bool Enabled(const Options& options) { return options.enabled; }

  // `sink` must be thread-safe (the aggregator is): targets feed it
  // concurrently, through process attribution with `processes`. The
  // self-metrics are registered in `registry`. Ticks and sample times come
  // from `time`, which must outlive the scraper.
  Scraper(ScrapeOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
          IngestMetrics* ingest, prometheus::Registry& registry, const TimeSource& time);
  Scraper(ScrapeOptions options, const ReceiverContext& context)
      : Scraper(std::move(options), context.sink, context.processes, context.ingest,
                *context.registry, *context.time) {}
  ~Scraper() override;
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  std::string_view component_name() const override { return "scraper"; }
  // Reads the file_sd files once (a bad or missing file is logged, not
  // fatal: files may appear later) and starts scraping. InvalidArgument
  // for bad options. Not after Shutdown.
  absl::Status Start() override ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the refresher and every loop and waits for scrapes in flight
  // (each ends within its own timeout, shorter than any shutdown
  // deadline). Safe without Start and safe twice.
  absl::Status Shutdown(absl::Time deadline) override ABSL_LOCKS_EXCLUDED(mu_);

  // Re-reads the files now instead of at the next refresh_interval.
  void Refresh() ABSL_LOCKS_EXCLUDED(mu_);
  // Targets being scraped.
  size_t targets() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void RefreshLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void Apply(const TargetDiff& diff) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ScrapeOptions options_;
  ScrapeMetrics metrics_;
  TargetLoop::Context context_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  TargetSet target_set_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<TargetLoop>> loops_ ABSL_GUARDED_BY(mu_);
  // Removed targets whose last scrape may still be in flight.
  std::vector<std::unique_ptr<TargetLoop>> retiring_ ABSL_GUARDED_BY(mu_);
  size_t over_cap_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread refresher_;
};

}  // namespace vitals::gateway
