#pragma once

// One target's scrape loop on a thread of its own: GET its metrics path
// every `interval` with its `timeout`, hand the body to a ScrapeIngester
// and keep the target's self-metrics. Internal to the scraper.
//
// Scrapes fall on ticks `k * interval + offset` of the gateway's time
// source (the wall clock, or a test's own time), the offset
// hashed from the target's name: targets are spread over the interval
// instead of all firing at once, a target keeps its phase across gateway
// restarts and settings changes, and with the interval equal to the
// aggregation interval each aggregation interval gets exactly one scrape of
// each target. A scrape that overruns its tick skips the ticks it missed.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/base/clock.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/scrape/scrape_ingest.h"
#include "gateway/receivers/scrape/scrape_metrics.h"
#include "gateway/receivers/scrape/target.h"

namespace vitals::gateway {

class TargetLoop {
 public:
  struct Context {
    FlinkSampleSink* sink = nullptr;
    ProcessJobTable* processes = nullptr;
    IngestMetrics* ingest = nullptr;
    ScrapeMetrics* metrics = nullptr;
    size_t max_body_bytes = 8 << 20;
    Clock clock;  // for sample timestamps
    // What the ticks are counted on (the gateway's time source).
    const TimeSource* time = &SystemTimeSource::Get();
  };

  // Registers the target's series (down until its first scrape) and starts
  // the thread. `context` must outlive the loop.
  TargetLoop(ScrapeTarget target, const Context& context);
  // Stop() and Join().
  ~TargetLoop();
  TargetLoop(const TargetLoop&) = delete;
  TargetLoop& operator=(const TargetLoop&) = delete;

  // New settings for the same target: takes effect from the next tick.
  void Update(ScrapeTarget target) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the loop and removes the target's series at once; a scrape in
  // flight finishes in the background (within its timeout) and is
  // discarded. Does not wait: see finished() and Join().
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  bool finished() const { return finished_.load(); }
  void Join();

  // The wall-clock tick (epoch ms) following `now_ms`.
  static int64_t NextTick(int64_t now_ms, int64_t interval_ms, int64_t offset_ms);
  // The target's phase within `interval_ms`, from a stable hash of its name.
  static int64_t Offset(std::string_view name, int64_t interval_ms);

 private:
  struct Outcome {
    std::string_view result;  // "ok" or the failure reason
    std::string error;        // for the log line, when not ok
    size_t samples = 0;
    double seconds = 0;
  };

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  Outcome Scrape(const ScrapeTarget& target) ABSL_LOCKS_EXCLUDED(mu_);
  // While not stopped.
  void Record(const ScrapeTarget& target, const Outcome& outcome)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Context& context_;
  const std::string name_;
  ScrapeIngester ingester_;  // used by the loop's thread only

  absl::Mutex mu_;
  // Ends the current wait for a tick: on new settings and on Stop. A fresh
  // one per wait, as a StopSignal is set once.
  std::shared_ptr<StopSignal> wake_ ABSL_GUARDED_BY(mu_);
  ScrapeTarget target_ ABSL_GUARDED_BY(mu_);
  bool changed_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  ScrapeMetrics::TargetSeries series_ ABSL_GUARDED_BY(mu_);
  // So that a first failure is logged.
  bool was_up_ ABSL_GUARDED_BY(mu_) = true;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace vitals::gateway
