#pragma once

// A scorer replica: a consumer in the group on `flink.metrics`, the job
// registry it feeds, an evaluation loop that grades closed intervals and
// publishes HealthReports to `flink.health`, and the HTTP API and /metrics
// on :9095. Replicas split the jobs by partition; the partition a job's
// batches arrive on decides who owns it. Each job's history and migrations
// follow it through the compacted state topic: written as they change,
// read back for newly assigned partitions before those are consumed.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "common/http/server.h"
#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"
#include "common/log/repeated_log.h"
#include "prometheus/registry.h"
#include "scorer/api/job_info_metrics.h"
#include "scorer/api/jobs_api.h"
#include "scorer/api/score_metrics.h"
#include "scorer/job_registry.h"
#include "scorer/scorer_config.h"
#include "scorer/state/kafka_changelog_reader.h"
#include "scorer/state/kafka_state_sink.h"
#include "scorer/state/state_restorer.h"
#include "scorer/state/state_writer.h"

namespace vitals::scorer {

class Scorer : public kafka::RebalanceListener {
 public:
  explicit Scorer(ScorerConfig config);
  ~Scorer() override;

  absl::Status Start();
  // Writes the state of its jobs, leaves the group, flushes published
  // reports. Safe twice, safe unstarted.
  void Shutdown();

  uint16_t http_port() const { return server_ ? server_->port() : 0; }
  const JobRegistry& jobs() const { return *registry_; }
  bool ready() const { return ready_.load(); }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  absl::Status StartState();
  void IngestLoop();
  void EvaluateLoop();
  void Publish(const std::vector<v1::HealthReport>& reports);
  // Restores the jobs of newly assigned partitions; on the ingest thread,
  // before any of their batches is consumed.
  void RestorePartitions(const std::vector<int32_t>& partitions);
  // Drops jobs silent for `job_expiry`: series withdrawn, state tombstoned.
  void ExpireSilentJobs(int64_t now_ms);
  http::Response ServeMetrics() const;

  ScorerConfig config_;
  // Per-record failures during a broker outage: one log line per period.
  // Declared before the clients whose callbacks report to them.
  log::RepeatedLog report_delivery_failed_{log::Level::kWarn, "health report delivery failed"};
  log::RepeatedLog report_publish_failed_{log::Level::kWarn, "cannot publish health report"};
  log::RepeatedLog state_delivery_failed_{log::Level::kWarn, "job state delivery failed"};
  log::RepeatedLog consume_failed_{log::Level::kWarn, "kafka consume error"};
  std::shared_ptr<prometheus::Registry> registry_metrics_;
  std::unique_ptr<JobRegistry> registry_;
  std::unique_ptr<ScoreMetrics> score_metrics_;
  std::unique_ptr<JobInfoMetrics> job_info_;
  std::unique_ptr<JobsApi> api_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::unique_ptr<http::Server> server_;
  // Null when state is disabled.
  std::unique_ptr<KafkaStateSink> state_sink_;
  std::unique_ptr<StateWriter> state_writer_;
  std::unique_ptr<KafkaChangelogReader> state_reader_;
  std::unique_ptr<StateRestorer> state_restorer_;

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  std::atomic<bool> started_{false};
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> ready_{false};
  std::thread ingest_thread_;
  std::thread evaluate_thread_;

  prometheus::Counter* batches_consumed_ = nullptr;
  prometheus::Counter* batches_late_ = nullptr;
  prometheus::Counter* batches_invalid_ = nullptr;
  prometheus::Counter* reports_published_ = nullptr;
  prometheus::Gauge* jobs_tracked_ = nullptr;
  prometheus::Gauge* consumer_lag_ = nullptr;
  prometheus::Gauge* assigned_partitions_ = nullptr;
  prometheus::Histogram* evaluation_duration_ = nullptr;
  prometheus::Counter* state_records_written_ = nullptr;
  prometheus::Counter* state_write_failures_ = nullptr;
  prometheus::Counter* jobs_restored_ = nullptr;
  prometheus::Histogram* state_restore_duration_ = nullptr;
  prometheus::Counter* jobs_expired_ = nullptr;
};

}  // namespace vitals::scorer
