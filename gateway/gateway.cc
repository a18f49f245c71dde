#include "gateway/gateway.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/base/clock.h"
#include "common/http/url.h"
#include "common/log/log.h"
#include "common/metrics/text_exposition.h"
#include "gateway/sinks/producer_statistics.h"

namespace vitals::gateway {
namespace {

// Exported counters follow totals kept elsewhere (the aggregator's, the
// attribution table's, librdkafka's) by their increases since the last
// flush; a total that went down (librdkafka forgetting a broker) restarts
// the count.
void AdvanceBy(prometheus::Counter* counter, uint64_t total, uint64_t* seen) {
  if (total > *seen) counter->Increment(static_cast<double>(total - *seen));
  *seen = total;
}

}  // namespace

Gateway::Gateway(GatewayConfig config)
    : config_(std::move(config)), registry_(std::make_shared<prometheus::Registry>()) {
  ingest_metrics_ = std::make_unique<IngestMetrics>(*registry_);
  processes_ = std::make_unique<ProcessJobTable>(config_.AttributionOptions());
  push_groups_ = std::make_unique<PushGroupStore>(config_.EffectivePushGroupTtl());
  pushgateway_ = std::make_unique<PushgatewayReceiver>(push_groups_.get(), processes_.get(),
                                                       ingest_metrics_.get(),
                                                       config_.http.max_body_bytes, WallClockMs);
  AggregatorConfig aggregation = config_.aggregation;
  aggregation.gateway = config_.node;
  aggregation.cluster = config_.cluster;
  aggregator_ = std::make_unique<Aggregator>(aggregation);
  if (config_.influx.enabled) {
    influx_ = std::make_unique<InfluxReceiver>(config_.influx, aggregator_.get(), processes_.get(),
                                               ingest_metrics_.get(), WallClockMs);
  }
  view_ = std::make_unique<PrometheusView>();
  intervals_flushed_ = &prometheus::BuildCounter()
                            .Name("vitals_gateway_intervals_flushed_total")
                            .Help("Aggregation intervals closed and handed to the sinks.")
                            .Register(*registry_)
                            .Add({});
  flush_duration_ = &prometheus::BuildHistogram()
                         .Name("vitals_gateway_flush_duration_seconds")
                         .Help("Time to close one interval: replay, fold, encode, enqueue.")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05,
                                                                          0.1, 0.5, 1, 5});
  push_groups_gauge_ = &prometheus::BuildGauge()
                            .Name("vitals_gateway_push_groups")
                            .Help("Pushgateway groups currently held.")
                            .Register(*registry_)
                            .Add({});
  broker_connections_ = &prometheus::BuildGauge()
                             .Name("vitals_gateway_kafka_broker_connections")
                             .Help("Kafka broker connections up, from librdkafka's statistics.")
                             .Register(*registry_)
                             .Add({});
  kafka_retries_ = &prometheus::BuildCounter()
                        .Name("vitals_gateway_kafka_retries_total")
                        .Help("Produce requests librdkafka sent again (outages, throttling).")
                        .Register(*registry_)
                        .Add({});
  auto& dropped = prometheus::BuildCounter()
                      .Name("vitals_gateway_series_dropped_total")
                      .Help("Samples of series the aggregator refused, by reason.")
                      .Register(*registry_);
  for (size_t r = 0; r < series_dropped_.size(); ++r) {
    series_dropped_[r] =
        &dropped.Add({{"reason", std::string(DropReasonName(static_cast<DropReason>(r)))}});
  }
  auto& attribution = prometheus::BuildCounter()
                          .Name("vitals_gateway_process_samples_total")
                          .Help(
                              "Process-scope samples (JobManager and TaskManager JVM, memory, "
                              "cluster figures) by where process attribution sent them: "
                              "attributed (once per job), sender_named (to the sender's name, "
                              "attribution.sender_name_as_job), unattributed (dropped: the "
                              "process reported no job-scoped series).")
                          .Register(*registry_);
  attributed_samples_ = &attribution.Add({{"result", "attributed"}});
  sender_named_samples_ = &attribution.Add({{"result", "sender_named"}});
  unattributed_samples_ = &attribution.Add({{"result", "unattributed"}});
  shared_samples_ = &prometheus::BuildCounter()
                         .Name("vitals_gateway_process_samples_shared_total")
                         .Help(
                             "Copies of process-scope samples beyond the first, for processes "
                             "that run several jobs (session clusters).")
                         .Register(*registry_)
                         .Add({});
  unattributed_processes_ = &prometheus::BuildGauge()
                                 .Name("vitals_gateway_unattributed_processes")
                                 .Help(
                                     "Flink processes whose process-scope series found no job: "
                                     "they reported no job-scoped series (a JobManager between "
                                     "jobs, a TaskManager without tasks).")
                                 .Register(*registry_)
                                 .Add({});
  shared_processes_ = &prometheus::BuildGauge()
                           .Name("vitals_gateway_shared_processes")
                           .Help(
                               "Flink processes that run several jobs (session cluster "
                               "TaskManagers and JobManagers).")
                           .Register(*registry_)
                           .Add({});
  active_series_ = &prometheus::BuildGauge()
                        .Name("vitals_gateway_active_series")
                        .Help("Series held by the aggregator.")
                        .Register(*registry_)
                        .Add({});
}

Gateway::~Gateway() { (void)Shutdown(); }

absl::Status Gateway::Start() {
  if (absl::Status s = config_.Validate(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> producer =
      kafka::KafkaProducer::Create(config_.ProducerProperties(), [this](const auto& report) {
        if (sink_) sink_->OnDelivery(report);
      });
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  sink_ = std::make_unique<KafkaSink>(config_.kafka_sink, producer_.get(), *registry_);

  http::ServerOptions options = config_.http;
  if (absl::Status s = http::ParseHostPort(config_.listen, &options.address, &options.port);
      !s.ok()) {
    return s;
  }
  server_ = std::make_unique<http::Server>(options);
  server_->OnOverload([this](std::string_view format) { ingest_metrics_->Overloaded(format); });
  pushgateway_->Register(*server_);
  if (influx_) influx_->Register(*server_);
  server_->Route("GET", "/metrics", [this](const http::Request&) { return ServeMetrics(); });
  server_->Route("GET", "/healthz",
                 [](const http::Request&) { return http::Response::Text(200, "ok"); });
  server_->Route("GET", "/readyz", [this](const http::Request&) {
    return ready() ? http::Response::Text(200, "ready")
                   : http::Response::Text(503, "not ready: kafka not reachable yet");
  });
  if (absl::Status s = server_->Start(); !s.ok()) return s;
  if (config_.statsd.enabled) {
    statsd_ = std::make_unique<StatsdReceiver>(config_.statsd, aggregator_.get(), processes_.get(),
                                               ingest_metrics_.get(), WallClockMs);
    if (absl::Status s = statsd_->Start(); !s.ok()) {
      server_->Shutdown();
      return s;
    }
  }
  if (config_.scrape.enabled) {
    scraper_ = std::make_unique<Scraper>(config_.scrape, aggregator_.get(), processes_.get(),
                                         ingest_metrics_.get(), *registry_, WallClockMs);
    if (absl::Status s = scraper_->Start(); !s.ok()) {
      if (statsd_) statsd_->Shutdown();
      server_->Shutdown();
      return s;
    }
  }

  started_ = true;
  flush_thread_ = std::thread([this] { FlushLoop(); });
  pump_thread_ = std::thread([this] { PumpLoop(); });
  log::Info("gateway started", {{"listen", absl::StrCat(options.address, ":", server_->port())},
                                {"node", config_.node},
                                {"cluster", config_.cluster},
                                {"topic", config_.kafka_sink.topic}});
  return absl::OkStatus();
}

absl::Status Gateway::Reload(const GatewayConfig& fresh) {
  if (absl::Status s = aggregator_->Reload(fresh.aggregation); !s.ok()) {
    log::Error("reload refused, the running config stays", {{"error", std::string(s.message())}});
    return s;
  }
  push_groups_->set_ttl(fresh.EffectivePushGroupTtl());
  processes_->set_options(fresh.AttributionOptions());
  config_.aggregation = fresh.aggregation;
  config_.attribution = fresh.attribution;
  config_.push_group_ttl = fresh.push_group_ttl;
  std::vector<std::string> restart;
  if (fresh.listen != config_.listen) restart.push_back("listen");
  if (fresh.node != config_.node) restart.push_back("node");
  if (fresh.cluster != config_.cluster) restart.push_back("cluster");
  if (fresh.kafka_properties != config_.kafka_properties) restart.push_back("kafka.properties");
  if (fresh.kafka_sink.topic != config_.kafka_sink.topic) restart.push_back("kafka.topic");
  if (fresh.statsd.listen != config_.statsd.listen) restart.push_back("statsd.listen");
  log::Info("config reloaded: aggregation rules, caps, expiry and push group TTL applied",
            {{"fold_labels", absl::StrJoin(fresh.aggregation.fold_labels, ",")},
             {"max_series", std::to_string(fresh.aggregation.max_series)},
             {"max_series_per_job", std::to_string(fresh.aggregation.max_series_per_job)}});
  if (!restart.empty()) {
    log::Warn("changed keys that only take effect after a restart",
              {{"keys", absl::StrJoin(restart, ",")}});
  }
  return absl::OkStatus();
}

bool Gateway::ready() const {
  // Ready once Kafka acknowledged anything or librdkafka reports a broker
  // up; before the first flush the statistics tell.
  if (!started_ || !sink_) return false;
  if (sink_->delivered() > 0) return true;
  const std::string stats = producer_->LatestStatistics();
  return stats.find("\"state\":\"UP\"") != std::string::npos;
}

void Gateway::FlushInterval(int64_t boundary_ms, bool final_flush) {
  std::lock_guard<std::mutex> lock(flush_mu_);
  const absl::Time start = absl::Now();
  // Pushed groups are replayed as of the last millisecond of the interval
  // being closed: what a scrape of a Pushgateway would see at that moment.
  pushgateway_->Replay(*aggregator_, boundary_ms - 1);
  std::vector<v1::MetricBatch> batches =
      final_flush ? aggregator_->FlushAll(boundary_ms) : aggregator_->Flush(boundary_ms);
  processes_->Annotate(boundary_ms, &batches);
  shared_processes_->Set(static_cast<double>(processes_->shared_processes()));
  view_->Update(batches);
  sink_->Publish(batches);
  intervals_flushed_->Increment();
  flush_duration_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  push_groups_gauge_->Set(static_cast<double>(push_groups_->size()));
  const AggregatorStats stats = aggregator_->stats();
  active_series_->Set(static_cast<double>(stats.active_series));
  for (size_t r = 0; r < series_dropped_.size(); ++r) {
    AdvanceBy(series_dropped_[r], stats.dropped[r], &series_dropped_seen_[r]);
  }
  const AttributionCounts counts = processes_->counts();
  AdvanceBy(attributed_samples_, counts.attributed, &attribution_seen_.attributed);
  AdvanceBy(shared_samples_, counts.shared_copies, &attribution_seen_.shared_copies);
  AdvanceBy(sender_named_samples_, counts.sender_named, &attribution_seen_.sender_named);
  AdvanceBy(unattributed_samples_, counts.unattributed, &attribution_seen_.unattributed);
  unattributed_processes_->Set(static_cast<double>(processes_->unattributed_processes()));
  const ProducerStatistics producer_stats = ParseProducerStatistics(producer_->LatestStatistics());
  broker_connections_->Set(static_cast<double>(producer_stats.brokers_up));
  // librdkafka's figure restarts with a broker entry it drops and learns
  // again: export only its increases.
  AdvanceBy(kafka_retries_, producer_stats.retries, &kafka_retries_seen_);
}

void Gateway::FlushLoop() {
  const int64_t interval_ms = absl::ToInt64Milliseconds(config_.aggregation.interval);
  // Wall-clock aligned boundaries, so gateways on different nodes cut the
  // same intervals.
  next_boundary_ms_ = (WallClockMs() / interval_ms + 1) * interval_ms;
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    const int64_t now = WallClockMs();
    if (now < next_boundary_ms_) {
      if (loop_cv_.wait_for(lock, std::chrono::milliseconds(next_boundary_ms_ - now),
                            [this] { return stopping_; })) {
        break;
      }
      continue;  // the steady clock may wake us a little before the wall clock
    }
    // Woken late (a stalled machine, a slow flush): close every boundary
    // passed, each in turn. Pushed groups are replayed per boundary, so
    // skipping one would leave a hole in every job's series.
    if (now - next_boundary_ms_ > kMaxCatchUpIntervals * interval_ms) {
      const int64_t skipped = (now - next_boundary_ms_) / interval_ms;
      log::Warn("flush loop far behind the clock: skipping intervals",
                {{"intervals", std::to_string(skipped)}});
      next_boundary_ms_ += skipped * interval_ms;
    }
    lock.unlock();
    FlushInterval(next_boundary_ms_, /*final_flush=*/false);
    lock.lock();
    next_boundary_ms_ += interval_ms;
  }
}

void Gateway::PumpLoop() {
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    lock.unlock();
    sink_->Pump(absl::Milliseconds(100));
    lock.lock();
  }
}

http::Response Gateway::ServeMetrics() const {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = view_->Render();
  r.body += metrics::RenderText(*registry_);
  return r;
}

absl::Status Gateway::Shutdown() {
  if (!started_ || shut_down_.exchange(true)) return absl::OkStatus();
  // Scrapes first (waits for those in flight): their samples belong in
  // the final flush.
  if (scraper_) scraper_->Shutdown();
  server_->Shutdown();               // stop accepting first: nothing new after the last flush
  if (statsd_) statsd_->Shutdown();  // releases held lines into the aggregator
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (flush_thread_.joinable()) flush_thread_.join();
  if (pump_thread_.joinable()) pump_thread_.join();
  const int64_t interval_ms = absl::ToInt64Milliseconds(config_.aggregation.interval);
  const int64_t boundary = (WallClockMs() / interval_ms + 1) * interval_ms;
  // Boundaries the loop had not reached yet, then the open interval.
  for (int64_t b = next_boundary_ms_;
       b > 0 && b < boundary && boundary - b <= kMaxCatchUpIntervals * interval_ms;
       b += interval_ms) {
    FlushInterval(b, /*final_flush=*/false);
  }
  FlushInterval(boundary, /*final_flush=*/true);
  absl::Status drained = sink_->Drain(absl::Now() + config_.shutdown_timeout);
  if (drained.ok()) {
    log::Info("gateway stopped: every interval acknowledged by kafka",
              {{"delivered", std::to_string(sink_->delivered())}});
  } else {
    log::Error("gateway stopped with undelivered data",
               {{"error", std::string(drained.message())}});
  }
  return drained;
}

}  // namespace vitals::gateway
