#include "gateway/gateway.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/http/url.h"
#include "common/http/web_config.h"
#include "common/log/log.h"
#include "common/metrics/text_exposition.h"
#include "gateway/aggregate/memory_release.h"
#include "gateway/sinks/producer_statistics.h"

namespace vitals::gateway {

Gateway::Gateway(GatewayConfig config, const TimeSource& time)
    : config_(std::move(config)), time_(time), registry_(std::make_shared<prometheus::Registry>()) {
  metrics_ = std::make_unique<GatewayMetrics>(*registry_);
  ingest_metrics_ = std::make_unique<IngestMetrics>(*registry_);
  processes_ = std::make_unique<ProcessJobTable>(config_.AttributionOptions());
  push_groups_ = std::make_unique<PushGroupStore>(config_.EffectivePushGroupTtl());
  pushgateway_ = std::make_unique<PushgatewayReceiver>(
      push_groups_.get(), processes_.get(), ingest_metrics_.get(), config_.http.max_body_bytes,
      time_.clock(), PushClusterOptions{config_.cluster, config_.push_cluster_override});
  AggregatorConfig aggregation = config_.aggregation;
  aggregation.gateway = config_.node;
  aggregation.cluster = config_.cluster;
  aggregator_ = std::make_unique<Aggregator>(aggregation);
  view_ = std::make_unique<PrometheusView>();
}

Gateway::~Gateway() { (void)Shutdown(absl::Now() + config_.shutdown_timeout); }

absl::Status Gateway::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("gateway: started once");
  if (absl::Status s = config_.Validate(); !s.ok()) return s;
  http::ServerOptions options = config_.http;
  if (absl::Status s = http::ParseHostPort(config_.listen, &options.address, &options.port);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = http::ApplyWebConfigFile(config_.web_config_file, &options); !s.ok()) {
    return s;
  }
  // Start order: whatever a part hands data to is up before it.
  kafka_ = std::make_unique<KafkaPublisher>(config_.kafka_sink, config_.ProducerProperties(),
                                            *registry_);
  components_.Add(kafka_.get());
  flusher_ = std::make_unique<IntervalFlusher>(
      &time_, config_.aggregation.interval,
      [this](int64_t boundary_ms, bool final_flush) { FlushInterval(boundary_ms, final_flush); });
  components_.Add(flusher_.get());
  server_ = std::make_unique<http::Server>(options);
  ReceiverContext context;
  context.sink = aggregator_.get();
  context.processes = processes_.get();
  context.ingest = ingest_metrics_.get();
  context.registry = registry_.get();
  context.clock = time_.clock();
  context.time = &time_;
  context.cluster = config_.cluster;
  receivers_ = Receivers::Make(config_.receivers, context);
  Route(*server_);
  components_.Add(server_.get());
  for (const std::unique_ptr<Receiver>& receiver : receivers_) components_.Add(receiver.get());
  if (absl::Status s = components_.StartAll(); !s.ok()) return s;
  started_ = true;
  log::Info("gateway started", {{"listen", absl::StrCat(options.address, ":", server_->port())},
                                {"node", config_.node},
                                {"cluster", config_.cluster},
                                {"topic", config_.kafka_sink.topic}});
  return absl::OkStatus();
}

void Gateway::Route(http::Server& server) {
  server.OnOverload([this](std::string_view format) { ingest_metrics_->Overloaded(format); });
  pushgateway_->Register(server);
  for (const std::unique_ptr<Receiver>& receiver : receivers_) receiver->Route(server);
  server.Route("GET", "/metrics", [this](const http::Request&) { return ServeMetrics(); });
  server.Route("GET", "/healthz",
               [](const http::Request&) { return http::Response::Text(200, "ok"); });
  server.Route("GET", "/readyz", [this](const http::Request&) {
    return ready() ? http::Response::Text(200, "ready")
                   : http::Response::Text(503, "not ready: kafka not reachable yet");
  });
}

namespace {

// The keys Reload applies; a change to any other is named in the log as
// needing a restart.
bool IsReloadedKey(std::string_view path) {
  return path.starts_with("gateway.aggregation.") || path.starts_with("gateway.attribution.") ||
         path == "gateway.pushgateway.group_ttl";
}

}  // namespace

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
  // Everything else is read at start only: name what changed.
  std::vector<std::string> restart;
  for (std::string& key : config::ChangedKeys("gateway", config_, fresh, DeclareGatewayKeys)) {
    if (!IsReloadedKey(key)) restart.push_back(std::move(key));
  }
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

bool Gateway::ready() const { return started_ && kafka_->ready(); }

void Gateway::FlushInterval(int64_t boundary_ms, bool final_flush) {
  absl::MutexLock lock(&flush_mu_);
  const absl::Time start = absl::Now();
  // Pushed groups are replayed as of the last millisecond of the interval
  // being closed: what a scrape of a Pushgateway would see at that moment.
  pushgateway_->Replay(*aggregator_, boundary_ms - 1);
  {
    std::vector<v1::MetricBatch> batches =
        final_flush ? aggregator_->FlushAll(boundary_ms) : aggregator_->Flush(boundary_ms);
    processes_->Annotate(boundary_ms, &batches);
    view_->Update(batches);
    kafka_->sink().Publish(batches);
  }
  // The closed interval's messages (a few hundred bytes per series, in many
  // small blocks) are freed now; without this, glibc keeps their pages
  // resident until the next close reuses them.
  ReleaseFreeMemory();
  FlushFacts facts;
  facts.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  facts.push_groups = push_groups_->size();
  facts.aggregator = aggregator_->stats();
  facts.attribution = processes_->counts();
  facts.unattributed_processes = processes_->unattributed_processes();
  facts.shared_processes = processes_->shared_processes();
  facts.producer = ParseProducerStatistics(kafka_->statistics());
  metrics_->Flushed(facts);
}

http::Response Gateway::ServeMetrics() const {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  view_->RenderTo(&r.body);
  r.body += metrics::RenderText(*registry_);
  return r;
}

absl::Status Gateway::Shutdown(absl::Time deadline) {
  if (!started_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  absl::Status stopped = components_.ShutdownAll(deadline);
  if (stopped.ok()) {
    log::Info("gateway stopped: every interval acknowledged by kafka",
              {{"delivered", std::to_string(kafka_->sink().delivered())}});
  } else {
    log::Error("gateway stopped with undelivered data",
               {{"error", std::string(stopped.message())}});
  }
  return stopped;
}

}  // namespace vitals::gateway
