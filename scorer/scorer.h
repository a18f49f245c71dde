#pragma once

// A scorer replica: a consumer in the group on `flink.metrics`, the job
// registry it feeds, an evaluation loop that grades closed intervals and
// publishes HealthReports to `flink.health`, and the HTTP API and /metrics
// on :9095. Replicas split the jobs by partition; the partition a job's
// batches arrive on decides who owns it. Each job's history and migrations
// follow it through the compacted state topic: written as they change,
// read back for newly assigned partitions before those are consumed.
//
// Its parts are components started in order — health publisher, job state
// store, metrics consumer, evaluation loop, health follower, wave writer,
// wave follower, HTTP server —
// and stopped in reverse: the API closes, the follower stops, grading stops
// (so that nothing publishes for a job being handed over), the consumer
// leaves the group handing every job's state on, the state and the reports
// are flushed to Kafka by the deadline.
//
// With `fleet_reads` the health follower reads every replica's reports
// into a FleetView, and the API answers for the whole fleet (jobs_api.h);
// each report this replica publishes names its advertised URL, known once
// the server has bound.
//
// Waves (batch migrations) go to a compacted topic that every replica
// follows whole into its WaveBook; each records a wave's migration on the
// jobs it owns — when it learns the wave, after an assignment, and
// periodically — and the waves API judges a wave from its jobs' owners.

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/component/component_list.h"
#include "common/component/loop_thread.h"
#include "common/http/server.h"
#include "common/kafka/consumer.h"
#include "common/log/repeated_log.h"
#include "prometheus/registry.h"
#include "scorer/api/job_info_metrics.h"
#include "scorer/api/jobs_api.h"
#include "scorer/api/score_metrics.h"
#include "scorer/api/waves_api.h"
#include "scorer/batch_consumer.h"
#include "scorer/fleet/fleet_metrics.h"
#include "scorer/fleet/fleet_view.h"
#include "scorer/fleet/health_follower.h"
#include "scorer/health_publisher.h"
#include "scorer/job_registry.h"
#include "scorer/scorer_config.h"
#include "scorer/scorer_metrics.h"
#include "scorer/state/job_state_store.h"
#include "scorer/waves/wave_book.h"
#include "scorer/waves/wave_follower.h"
#include "scorer/waves/wave_metrics.h"
#include "scorer/waves/wave_recorder.h"
#include "scorer/waves/wave_writer.h"
#include "scorer/window/batch_decoder.h"

namespace vitals::scorer {

class Scorer : public kafka::RebalanceListener {
 public:
  // `time` is "now" for ingest, evaluation and the API; it must outlive the
  // scorer.
  explicit Scorer(ScorerConfig config, const TimeSource& time = SystemTimeSource::Get());
  ~Scorer() override;

  // Starts every component; on error those started are stopped again.
  absl::Status Start();
  // Stops the components in reverse; the first error says what Kafka had
  // not acknowledged by `deadline`. Safe twice, safe unstarted.
  absl::Status Shutdown(absl::Time deadline);

  uint16_t http_port() const { return server_ ? server_->port() : 0; }
  const JobRegistry& jobs() const { return *registry_; }
  bool ready() const { return ready_.load(); }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  void Ingest(const kafka::Message& message);
  void EverySecond(int64_t now_ms);
  // The evaluation loop's step: grades, publishes, writes due state.
  int64_t Evaluate();
  // Restores the jobs of newly assigned partitions; on the ingest thread,
  // before any of their batches is consumed.
  void RestorePartitions(const std::vector<int32_t>& partitions);
  // Drops jobs silent for `job_expiry`: series withdrawn, state tombstoned.
  void ExpireSilentJobs(int64_t now_ms);
  http::Response ServeMetrics() const;
  // A migration was recorded for the job (posted, or a wave's): written to
  // the state topic at once.
  void OnMigrationRecorded(const std::string& key);
  // Records the waves of the last kMigrationMaxAge on the jobs owned.
  void ApplyRecentWaves();
  void Route(http::Server& server);

  ScorerConfig config_;
  const TimeSource& time_;
  log::RepeatedLog state_delivery_failed_{log::Level::kWarn, "job state delivery failed"};
  std::shared_ptr<prometheus::Registry> registry_metrics_;
  std::unique_ptr<ScorerMetrics> metrics_;
  std::unique_ptr<JobRegistry> registry_;
  std::unique_ptr<ScoreMetrics> score_metrics_;
  std::unique_ptr<JobInfoMetrics> job_info_;
  // Ingest's, on the consumer thread.
  BatchDecoder decoder_;
  // Null without fleet_reads; before the API that reads it.
  std::unique_ptr<FleetView> fleet_;
  std::unique_ptr<FleetMetrics> fleet_metrics_;
  std::unique_ptr<JobsApi> api_;
  // Waves: every replica's book of them, recorded on the jobs it owns.
  std::unique_ptr<WaveBook> waves_;
  std::unique_ptr<WaveRecorder> wave_recorder_;
  std::unique_ptr<WaveMetrics> wave_metrics_;
  std::unique_ptr<WavesApi> waves_api_;
  // The components, in start order; the state store is null when state is
  // disabled, the follower without fleet_reads.
  std::unique_ptr<HealthPublisher> publisher_;
  std::unique_ptr<JobStateStore> state_;
  std::unique_ptr<BatchConsumer> consumer_;
  std::unique_ptr<LoopThread> evaluator_;
  std::unique_ptr<HealthFollower> follower_;
  std::unique_ptr<WaveWriter> wave_writer_;
  std::unique_ptr<WaveFollower> wave_follower_;
  std::unique_ptr<http::Server> server_;
  ComponentList components_{"scorer"};

  std::atomic<bool> started_{false};
  bool shut_down_ = false;
  std::atomic<bool> ready_{false};
};

}  // namespace vitals::scorer
