#include "scorer/scorer.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/url.h"
#include "common/log/log.h"
#include "common/metrics/text_exposition.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace vitals::scorer {
namespace {

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::string JobKey(const v1::MetricBatch& batch) {
  return batch.tenant().empty() ? batch.job_name()
                                : absl::StrCat(batch.tenant(), "/", batch.job_name());
}

}  // namespace

Scorer::Scorer(ScorerConfig config)
    : config_(std::move(config)), registry_metrics_(std::make_shared<prometheus::Registry>()) {
  registry_ = std::make_unique<JobRegistry>(&config_.scoring);
  score_metrics_ = std::make_unique<ScoreMetrics>(*registry_metrics_);
  api_ = std::make_unique<JobsApi>(registry_.get(), NowMs);
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
}

Scorer::~Scorer() { Shutdown(); }

absl::Status Scorer::Start() {
  if (absl::Status s = config_.Validate(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer =
      kafka::KafkaProducer::Create(config_.ProducerProperties(), [](const auto& report) {
        if (!report.status.ok()) {
          log::Warn("health report delivery failed",
                    {{"error", std::string(report.status.message())}});
        }
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
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

void Scorer::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  ready_ = true;
  log::Info("partitions assigned", {{"count", std::to_string(partitions.size())}});
}

void Scorer::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<int32_t> ids;
  for (const auto& tp : partitions) ids.push_back(tp.partition);
  for (const v1::HealthReport& report : registry_->DropPartitions(ids)) {
    score_metrics_->Remove(report);
  }
  log::Info("partitions revoked", {{"count", std::to_string(partitions.size())}});
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
      log::Warn("kafka consume error", {{"error", std::string(polled.status().message())}});
      continue;
    }
    if (polled->has_value()) {
      const kafka::Message& message = **polled;
      v1::MetricBatch batch;
      if (!batch.ParseFromString(message.value) || batch.job_name().empty()) {
        batches_invalid_->Increment();
      } else {
        batches_consumed_->Increment();
        const std::string key = JobKey(batch);
        if (!registry_->Add(key, std::move(batch), message.partition)) {
          batches_late_->Increment();
        }
      }
    }
    if (const int64_t now = NowMs(); now - last_lag_ms >= 1000) {
      last_lag_ms = now;
      consumer_lag_->Set(static_cast<double>(consumer_->Lag()));
      assigned_partitions_->Set(static_cast<double>(consumer_->Assignment().size()));
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
    std::vector<v1::HealthReport> reports = registry_->EvaluateAll(NowMs());
    if (!reports.empty()) {
      evaluation_duration_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
      Publish(reports);
    }
    jobs_tracked_->Set(static_cast<double>(registry_->size()));
    producer_->Poll(absl::ZeroDuration());
    lock.lock();
  }
}

void Scorer::Publish(const std::vector<v1::HealthReport>& reports) {
  for (const v1::HealthReport& report : reports) {
    score_metrics_->Update(report);
    const std::string key = report.tenant().empty()
                                ? report.job_name()
                                : absl::StrCat(report.tenant(), "/", report.job_name());
    absl::Status s = producer_->Produce(config_.health_topic, key, report.SerializeAsString(), 0);
    if (s.ok()) {
      reports_published_->Increment();
    } else {
      log::Warn("cannot publish health report", {{"error", std::string(s.message())}});
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
  consumer_->Close();
  (void)producer_->Flush(absl::Seconds(5));
  server_->Shutdown();
  log::Info("scorer stopped");
}

}  // namespace vitals::scorer
