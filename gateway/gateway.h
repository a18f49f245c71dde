#pragma once

// The per-node gateway: receivers → normalizer → process attribution →
// aggregator → (Kafka sink, Prometheus view), with its HTTP port for
// pushes, /metrics, /healthz and /readyz. Its parts are components started
// in order (the Kafka sink first, then the interval flusher, the HTTP
// server, StatsD, the scraper) and stopped in reverse: receivers stop, the
// flusher closes the open interval with their last samples, the sink drains
// it to Kafka by the deadline.

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/base/clock.h"
#include "common/component/component_list.h"
#include "common/http/server.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/gateway_config.h"
#include "gateway/gateway_metrics.h"
#include "gateway/interval_flusher.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/pushgateway/receiver.h"
#include "gateway/receivers/receivers.h"
#include "gateway/sinks/kafka_publisher.h"
#include "gateway/sinks/prometheus_view.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class Gateway {
 public:
  // `time` decides the intervals and stamps samples; it must outlive the
  // gateway.
  explicit Gateway(GatewayConfig config, const TimeSource& time = SystemTimeSource::Get());
  ~Gateway();

  // Starts every component; on error those started are stopped again.
  absl::Status Start();
  // Stops the components in reverse; the last interval is flushed and
  // DeadlineExceeded says what Kafka had not acknowledged by `deadline`.
  // Safe without Start and safe twice.
  absl::Status Shutdown(absl::Time deadline);

  uint16_t http_port() const { return server_ ? server_->port() : 0; }
  uint16_t statsd_port() const {
    const StatsdReceiver* statsd = receiver<StatsdReceiver>();
    return statsd ? statsd->port() : 0;
  }
  // The running receiver of type R (receivers.h), or null.
  template <typename R>
  const R* receiver() const {
    for (const std::unique_ptr<Receiver>& r : receivers_) {
      if (const R* found = dynamic_cast<const R*>(r.get())) return found;
    }
    return nullptr;
  }
  const GatewayConfig& config() const { return config_; }
  bool ready() const;

  // SIGHUP: applies the reloadable part of `fresh` (aggregation rules,
  // caps and expiry, the push group TTL) without losing held data; other
  // changed keys are logged as needing a restart. InvalidArgument (naming
  // the key) leaves everything as it was.
  absl::Status Reload(const GatewayConfig& fresh);

  // Closes the interval ending at `boundary_ms` (the flusher, and tests).
  void FlushInterval(int64_t boundary_ms, bool final_flush) ABSL_LOCKS_EXCLUDED(flush_mu_);

 private:
  http::Response ServeMetrics() const;
  void Route(http::Server& server);

  GatewayConfig config_;
  const TimeSource& time_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<GatewayMetrics> metrics_;
  std::unique_ptr<IngestMetrics> ingest_metrics_;
  // Which processes run which jobs: shared by every receiver.
  std::unique_ptr<ProcessJobTable> processes_;
  std::unique_ptr<PushGroupStore> push_groups_;
  std::unique_ptr<PushgatewayReceiver> pushgateway_;
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<PrometheusView> view_;
  // The components, in start order.
  std::unique_ptr<KafkaPublisher> kafka_;
  std::unique_ptr<IntervalFlusher> flusher_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  ComponentList components_{"gateway"};
  // Read by /readyz on the server's threads.
  std::atomic<bool> started_{false};
  bool shut_down_ = false;

  // One interval closes at a time.
  absl::Mutex flush_mu_;
};

}  // namespace vitals::gateway
