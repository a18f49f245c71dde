#include "scorer/scorer.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/clock.h"
#include "common/http/url.h"
#include "common/log/log.h"
#include "common/metrics/text_exposition.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "scorer/job_key.h"

namespace vitals::scorer {
namespace {

// How long a revoke waits for the state of the jobs it hands over to be
// acknowledged: the next owner restores whatever is there.
constexpr absl::Duration kHandOverFlushTimeout = absl::Seconds(5);

}  // namespace

Scorer::Scorer(ScorerConfig config)
    : config_(std::move(config)), registry_metrics_(std::make_shared<prometheus::Registry>()) {
  registry_ = std::make_unique<JobRegistry>(&config_.scoring);
  score_metrics_ = std::make_unique<ScoreMetrics>(*registry_metrics_);
  job_info_ = std::make_unique<JobInfoMetrics>(*registry_metrics_);
  api_ = std::make_unique<JobsApi>(registry_.get(), WallClockMs, [this](const std::string& key) {
    // A migration is what a rollback verdict hinges on: it must survive a
    // failover that comes before the next coalesced state record.
    if (!state_writer_) return;
    if (absl::Status s = state_writer_->PublishNow(key); !s.ok()) {
      log::Warn("cannot write job state after a migration",
                {{"job", key}, {"error", std::string(s.message())}});
    }
  });
  auto& batches = prometheus::BuildCounter()
                      .Name("vitals_scorer_batches_consumed_total")
                      .Help("MetricBatches consumed from Kafka.")
                      .Register(*registry_metrics_);
  batches_consumed_ = &batches.Add({});
  batches_late_ = &prometheus::BuildCounter()
                       .Name("vitals_scorer_batches_late_total")
                       .Help("MetricBatches that arrived after their interval had closed.")
                       .Register(*registry_metrics_)
                       .Add({});
  batches_invalid_ = &prometheus::BuildCounter()
                          .Name("vitals_scorer_batches_invalid_total")
                          .Help("Messages on the metrics topic that were not a MetricBatch.")
                          .Register(*registry_metrics_)
                          .Add({});
  reports_published_ = &prometheus::BuildCounter()
                            .Name("vitals_scorer_reports_published_total")
                            .Help("HealthReports produced to the health topic.")
                            .Register(*registry_metrics_)
                            .Add({});
  jobs_tracked_ = &prometheus::BuildGauge()
                       .Name("vitals_scorer_jobs_tracked")
                       .Help("Jobs this replica owns.")
                       .Register(*registry_metrics_)
                       .Add({});
  consumer_lag_ = &prometheus::BuildGauge()
                       .Name("vitals_scorer_consumer_lag_messages")
                       .Help("Messages behind the high watermark over the assigned partitions.")
                       .Register(*registry_metrics_)
                       .Add({});
  assigned_partitions_ = &prometheus::BuildGauge()
                              .Name("vitals_scorer_assigned_partitions")
                              .Help("Partitions of the metrics topic assigned to this replica.")
                              .Register(*registry_metrics_)
                              .Add({});
  evaluation_duration_ =
      &prometheus::BuildHistogram()
           .Name("vitals_scorer_evaluation_duration_seconds")
           .Help("Time to grade every job with a closed interval.")
           .Register(*registry_metrics_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.001, 0.01, 0.1, 1, 10});
  auto& state_records = prometheus::BuildCounter()
                            .Name("vitals_scorer_state_records_total")
                            .Help(
                                "Job state records (tombstones included) written to the state "
                                "topic, by Kafka's answer.")
                            .Register(*registry_metrics_);
  state_records_written_ = &state_records.Add({{"result", "acknowledged"}});
  state_write_failures_ = &state_records.Add({{"result", "failed"}});
  jobs_restored_ = &prometheus::BuildCounter()
                        .Name("vitals_scorer_jobs_restored_total")
                        .Help("Jobs resumed from the state topic on partition assignment.")
                        .Register(*registry_metrics_)
                        .Add({});
  state_restore_duration_ =
      &prometheus::BuildHistogram()
           .Name("vitals_scorer_state_restore_duration_seconds")
           .Help("Time to read back the state of newly assigned partitions.")
           .Register(*registry_metrics_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.1, 1, 5, 10, 30, 60});
  jobs_expired_ = &prometheus::BuildCounter()
                       .Name("vitals_scorer_jobs_expired_total")
                       .Help("Jobs dropped after job_expiry without a batch.")
                       .Register(*registry_metrics_)
                       .Add({});
}

Scorer::~Scorer() { Shutdown(); }

absl::Status Scorer::Start() {
  if (absl::Status s = config_.Validate(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer =
      kafka::KafkaProducer::Create(config_.ProducerProperties(), [this](const auto& report) {
        if (!report.status.ok()) {
          report_delivery_failed_.Report({{"error", std::string(report.status.message())}});
        }
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  // Before the consumer: its first assignment already restores state.
  if (absl::Status s = StartState(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<kafka::KafkaConsumer>> consumer =
      kafka::KafkaConsumer::Create(config_.ConsumerProperties(), {config_.metrics_topic}, this);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(*consumer);

  http::ServerOptions options = config_.http;
  if (absl::Status s = http::ParseHostPort(config_.listen, &options.address, &options.port);
      !s.ok()) {
    return s;
  }
  server_ = std::make_unique<http::Server>(options);
  api_->Register(*server_);
  server_->Route("GET", "/metrics", [this](const http::Request&) { return ServeMetrics(); });
  server_->Route("GET", "/healthz",
                 [](const http::Request&) { return http::Response::Text(200, "ok"); });
  server_->Route("GET", "/readyz", [this](const http::Request&) {
    return ready() ? http::Response::Text(200, "ready")
                   : http::Response::Text(503, "not ready: no partitions assigned yet");
  });
  if (absl::Status s = server_->Start(); !s.ok()) return s;
  started_ = true;
  ingest_thread_ = std::thread([this] { IngestLoop(); });
  evaluate_thread_ = std::thread([this] { EvaluateLoop(); });
  log::Info("scorer started", {{"listen", absl::StrCat(options.address, ":", server_->port())},
                               {"group", config_.group_id},
                               {"topic", config_.metrics_topic}});
  return absl::OkStatus();
}

absl::Status Scorer::StartState() {
  if (!config_.state_enabled) {
    log::Info("job state disabled: a job that changes replica starts blank");
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<KafkaStateSink>> sink = KafkaStateSink::Create(
      config_.ProducerProperties(), config_.state_topic, [this](const absl::Status& status) {
        if (status.ok()) {
          state_records_written_->Increment();
          return;
        }
        state_write_failures_->Increment();
        state_delivery_failed_.Report({{"error", std::string(status.message())}});
      });
  if (!sink.ok()) return sink.status();
  state_sink_ = std::move(*sink);
  absl::StatusOr<std::unique_ptr<KafkaChangelogReader>> reader =
      KafkaChangelogReader::Create(config_.StateReaderProperties());
  if (!reader.ok()) return reader.status();
  state_reader_ = std::move(*reader);
  state_restorer_ = std::make_unique<StateRestorer>(state_reader_.get(), config_.state_topic,
                                                    config_.state_restore_timeout);
  state_writer_ = std::make_unique<StateWriter>(
      state_sink_.get(), config_.state_publish_interval,
      [this](const std::string& key) { return registry_->State(key); }, WallClockMs);
  return absl::OkStatus();
}

void Scorer::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  log::Info("partitions assigned", {{"count", std::to_string(partitions.size())}});
  std::vector<int32_t> ids;
  for (const auto& tp : partitions) ids.push_back(tp.partition);
  // The consumer hands out no batch of these partitions until this
  // returns, and their jobs are not in the registry yet: nothing evaluates
  // or serves them before their state is back.
  if (state_restorer_) RestorePartitions(ids);
  ready_ = true;
}

void Scorer::RestorePartitions(const std::vector<int32_t>& partitions) {
  RestoreOutcome outcome = state_restorer_->Restore(partitions);
  state_restore_duration_->Observe(absl::ToDoubleSeconds(outcome.took));
  const int64_t now = WallClockMs();
  for (const RestoredJob& job : outcome.jobs) {
    if (!registry_->Restore(job.key, job.partition, job.state, now)) continue;
    job_info_->Update(job.key, job.state);
    // The score gauges show the job at once, not from its next evaluation.
    if (job.state.has_latest()) score_metrics_->Update(job.state.latest());
    jobs_restored_->Increment();
  }
}

void Scorer::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<int32_t> ids;
  for (const auto& tp : partitions) ids.push_back(tp.partition);
  size_t handed_over = 0;
  for (DroppedJob& job : registry_->DropPartitions(ids)) {
    if (job.latest) score_metrics_->Remove(*job.latest);
    job_info_->Remove(job.key);
    if (!state_writer_) continue;
    absl::Status s =
        state_writer_->Release(job.key, OwnedState{job.partition, std::move(job.state)});
    if (!s.ok()) {
      log::Warn("cannot hand over job state",
                {{"job", job.key}, {"error", std::string(s.message())}});
    }
    ++handed_over;
  }
  if (state_sink_ && handed_over > 0) {
    if (absl::Status s = state_sink_->Flush(kHandOverFlushTimeout); !s.ok()) {
      log::Warn("job state not acknowledged before the hand-over",
                {{"error", std::string(s.message())}});
    }
  }
  log::Info("partitions revoked", {{"count", std::to_string(partitions.size())}});
}

void Scorer::ExpireSilentJobs(int64_t now_ms) {
  for (const DroppedJob& job :
       registry_->Expire(now_ms, absl::ToInt64Milliseconds(config_.job_expiry))) {
    if (job.latest) score_metrics_->Remove(*job.latest);
    job_info_->Remove(job.key);
    jobs_expired_->Increment();
    if (state_writer_) {
      if (absl::Status s = state_writer_->Tombstone(job.key, job.partition); !s.ok()) {
        log::Warn("cannot tombstone an expired job",
                  {{"job", job.key}, {"error", std::string(s.message())}});
      }
    }
    log::Info("job expired",
              {{"job", job.key}, {"silent_for", absl::FormatDuration(config_.job_expiry)}});
  }
}

void Scorer::IngestLoop() {
  int64_t last_lag_ms = 0;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(loop_mu_);
      if (stopping_) break;
    }
    absl::StatusOr<std::optional<kafka::Message>> polled = consumer_->Poll(absl::Milliseconds(200));
    if (!polled.ok()) {
      consume_failed_.Report({{"error", std::string(polled.status().message())}});
      continue;
    }
    if (polled->has_value()) {
      const kafka::Message& message = **polled;
      v1::MetricBatch batch;
      if (!batch.ParseFromString(message.value) || batch.job_name().empty()) {
        batches_invalid_->Increment();
      } else {
        batches_consumed_->Increment();
        const std::string key = JobKey(batch.tenant(), batch.job_name());
        job_info_->Update(key, batch);
        if (!registry_->Add(key, std::move(batch), message.partition, WallClockMs())) {
          batches_late_->Increment();
        }
      }
    }
    if (const int64_t now = WallClockMs(); now - last_lag_ms >= 1000) {
      last_lag_ms = now;
      consumer_lag_->Set(static_cast<double>(consumer_->Lag()));
      assigned_partitions_->Set(static_cast<double>(consumer_->Assignment().size()));
      // Here rather than in the evaluation loop: every change of which jobs
      // the registry holds happens on this thread, so a job's series cannot
      // be withdrawn after a batch brought it back.
      ExpireSilentJobs(now);
    }
  }
}

void Scorer::EvaluateLoop() {
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    if (loop_cv_.wait_for(lock, std::chrono::milliseconds(absl::ToInt64Milliseconds(config_.tick)),
                          [this] { return stopping_; })) {
      break;
    }
    lock.unlock();
    const absl::Time start = absl::Now();
    std::vector<v1::HealthReport> reports = registry_->EvaluateAll(WallClockMs());
    if (!reports.empty()) {
      evaluation_duration_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
      Publish(reports);
    }
    if (state_writer_) {
      for (const v1::HealthReport& report : reports) {
        state_writer_->MarkChanged(JobKey(report.tenant(), report.job_name()));
      }
      state_writer_->PublishDue();
      state_sink_->Poll();
    }
    jobs_tracked_->Set(static_cast<double>(registry_->size()));
    producer_->Poll(absl::ZeroDuration());
    lock.lock();
  }
}

void Scorer::Publish(const std::vector<v1::HealthReport>& reports) {
  for (const v1::HealthReport& report : reports) {
    score_metrics_->Update(report);
    const std::string key = JobKey(report.tenant(), report.job_name());
    absl::Status s = producer_->Produce(config_.health_topic, key, report.SerializeAsString(), 0);
    if (s.ok()) {
      reports_published_->Increment();
    } else {
      report_publish_failed_.Report({{"error", std::string(s.message())}});
    }
  }
}

http::Response Scorer::ServeMetrics() const {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics::RenderText(*registry_metrics_);
  return r;
}

void Scorer::Shutdown() {
  if (!started_ || shut_down_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (evaluate_thread_.joinable()) evaluate_thread_.join();
  if (ingest_thread_.joinable()) ingest_thread_.join();
  // Leaving the group revokes every partition, which hands over the state
  // of every job (OnRevoked).
  consumer_->Close();
  if (state_writer_) {
    state_writer_->PublishAllChanged();
    if (absl::Status s = state_sink_->Flush(absl::Seconds(5)); !s.ok()) {
      log::Warn("job state not acknowledged at shutdown", {{"error", std::string(s.message())}});
    }
  }
  (void)producer_->Flush(absl::Seconds(5));
  server_->Shutdown();
  log::Info("scorer stopped");
}

}  // namespace vitals::scorer
