#pragma once

// The per-node gateway: receivers → normalizer → process attribution →
// aggregator → (Kafka sink, Prometheus view), with its HTTP port for
// pushes, /metrics, /healthz and /readyz. Start() brings it up; Shutdown() stops accepting, flushes
// the open interval and waits for Kafka to acknowledge it (up to the deadline).

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "common/http/server.h"
#include "common/kafka/producer.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/gateway_config.h"
#include "gateway/receivers/influx/receiver.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/pushgateway/receiver.h"
#include "gateway/receivers/scrape/scraper.h"
#include "gateway/receivers/statsd/receiver.h"
#include "gateway/sinks/kafka_sink.h"
#include "gateway/sinks/prometheus_view.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class Gateway {
 public:
  explicit Gateway(GatewayConfig config);
  ~Gateway();

  absl::Status Start();
  // Safe without Start and safe twice.
  absl::Status Shutdown();

  uint16_t http_port() const { return server_ ? server_->port() : 0; }
  uint16_t statsd_port() const { return statsd_ ? statsd_->port() : 0; }
  const GatewayConfig& config() const { return config_; }
  bool ready() const;

  // SIGHUP: applies the reloadable part of `fresh` (aggregation rules,
  // caps and expiry, the push group TTL) without losing held data; other
  // changed keys are logged as needing a restart. InvalidArgument (naming
  // the key) leaves everything as it was.
  absl::Status Reload(const GatewayConfig& fresh);

  // Closes the interval ending at `boundary_ms` now (tests and SIGTERM).
  void FlushInterval(int64_t boundary_ms, bool final_flush);

 private:
  void FlushLoop();
  void PumpLoop();
  http::Response ServeMetrics() const;

  GatewayConfig config_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<IngestMetrics> ingest_metrics_;
  // Which processes run which jobs: shared by every receiver.
  std::unique_ptr<ProcessJobTable> processes_;
  std::unique_ptr<PushGroupStore> push_groups_;
  std::unique_ptr<PushgatewayReceiver> pushgateway_;
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<InfluxReceiver> influx_;
  std::unique_ptr<StatsdReceiver> statsd_;
  std::unique_ptr<Scraper> scraper_;
  std::unique_ptr<PrometheusView> view_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<http::Server> server_;

  std::mutex flush_mu_;  // one interval closes at a time
  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::atomic<bool> started_{false};
  std::atomic<bool> shut_down_{false};
  std::thread flush_thread_;
  // The next interval boundary to close (epoch ms); owned by the flush
  // thread, read by Shutdown after joining it.
  int64_t next_boundary_ms_ = 0;
  // A loop further behind than this many intervals skips ahead (a clock
  // jump), logging it, instead of flushing each.
  static constexpr int64_t kMaxCatchUpIntervals = 30;
  std::thread pump_thread_;

  prometheus::Counter* intervals_flushed_ = nullptr;
  prometheus::Histogram* flush_duration_ = nullptr;
  prometheus::Gauge* push_groups_gauge_ = nullptr;
  prometheus::Gauge* active_series_ = nullptr;
  prometheus::Gauge* broker_connections_ = nullptr;
  prometheus::Counter* kafka_retries_ = nullptr;
  uint64_t kafka_retries_seen_ = 0;
  // The aggregator counts drops since start; the exported counters advance
  // by the difference at each flush.
  std::array<prometheus::Counter*, static_cast<size_t>(DropReason::kCount)> series_dropped_{};
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> series_dropped_seen_{};
  // Process attribution, advanced at each flush like the drop counters.
  prometheus::Counter* attributed_samples_ = nullptr;
  prometheus::Counter* shared_samples_ = nullptr;
  prometheus::Counter* sender_named_samples_ = nullptr;
  prometheus::Counter* unattributed_samples_ = nullptr;
  AttributionCounts attribution_seen_;
  prometheus::Gauge* unattributed_processes_ = nullptr;
  prometheus::Gauge* shared_processes_ = nullptr;
};

}  // namespace vitals::gateway
