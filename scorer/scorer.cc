#include "scorer/scorer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/url.h"
#include "common/http/web_config.h"
#include "common/log/log.h"
#include "common/metrics/text_exposition.h"
#include "scorer/job_key.h"

namespace vitals::scorer {
namespace {

// How long a revoke waits for the state of the jobs it hands over to be
// acknowledged: the next owner restores whatever is there.
constexpr absl::Duration kHandOverFlushTimeout = absl::Seconds(5);

}  // namespace

Scorer::Scorer(ScorerConfig config, const TimeSource& time)
    : config_(std::move(config)),
      time_(time),
      registry_metrics_(std::make_shared<prometheus::Registry>()) {
  metrics_ = std::make_unique<ScorerMetrics>(*registry_metrics_);
  registry_ = std::make_unique<JobRegistry>(&config_.scoring, registry_metrics_.get());
  score_metrics_ = std::make_unique<ScoreMetrics>(*registry_metrics_);
  job_info_ = std::make_unique<JobInfoMetrics>(*registry_metrics_);
  if (config_.fleet_reads) {
    // A job silent for job_expiry is gone from the fleet as from its owner.
    fleet_ = std::make_unique<FleetView>(config_.job_expiry);
    fleet_metrics_ = std::make_unique<FleetMetrics>(*registry_metrics_);
  }
  api_ = std::make_unique<JobsApi>(
      registry_.get(), time_.clock(), [this](const std::string& key) { OnMigrationRecorded(key); },
      fleet_.get());
  waves_ = std::make_unique<WaveBook>();
  wave_recorder_ = std::make_unique<WaveRecorder>(
      OwnedJobs{[this](const std::string& job) { return registry_->Migrations(job); },
                [this](const std::string& job, const v1::Migration& m) {
                  return registry_->AddMigration(job, m);
                }},
      [this](const std::string& key) { OnMigrationRecorded(key); });
  wave_metrics_ = std::make_unique<WaveMetrics>(*registry_metrics_);
}

void Scorer::ApplyRecentWaves() {
  // Not older ones: a posted migration that old would be refused.
  wave_recorder_->ApplyAll(
      waves_->Since(time_.NowMs() - absl::ToInt64Milliseconds(kMigrationMaxAge)));
}

void Scorer::OnMigrationRecorded(const std::string& key) {
  // A migration is what a rollback verdict hinges on: it must survive a
  // failover that comes before the next coalesced state record.
  if (!state_) return;
  if (absl::Status s = state_->writer().PublishNow(key); !s.ok()) {
    log::Warn("cannot write job state after a migration",
              {{"job", key}, {"error", std::string(s.message())}});
  }
}

Scorer::~Scorer() { (void)Shutdown(absl::Now() + config_.shutdown_timeout); }

absl::Status Scorer::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("scorer: started once");
  if (absl::Status s = config_.Validate(); !s.ok()) return s;
  http::ServerOptions options = config_.http;
  if (absl::Status s = http::ParseHostPort(config_.listen, &options.address, &options.port);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = http::ApplyWebConfigFile(config_.web_config_file, &options); !s.ok()) {
    return s;
  }
  publisher_ = std::make_unique<HealthPublisher>(config_.ProducerProperties(), config_.health_topic,
                                                 &metrics_->reports.accepted());
  components_.Add(publisher_.get());
  // Before the consumer: its first assignment already restores state.
  if (config_.state_enabled) {
    JobStateStoreOptions state;
    state.producer_properties = config_.ProducerProperties();
    state.reader_properties = config_.StateReaderProperties();
    state.topic = config_.state_topic;
    state.restore_timeout = config_.state_restore_timeout;
    state.publish_interval = config_.state_publish_interval;
    state.metrics = registry_metrics_.get();
    state_ = std::make_unique<JobStateStore>(
        std::move(state), [this](const std::string& key) { return registry_->State(key); },
        time_.clock(),
        [this](const absl::Status& status) {
          if (status.ok()) {
            metrics_->state_records.Accepted();
            return;
          }
          metrics_->state_records.Dropped(StateWriteFailureReason(status));
          state_delivery_failed_.Report({{"error", std::string(status.message())}});
        });
    components_.Add(state_.get());
  } else {
    log::Info("job state disabled: a job that changes replica starts blank");
  }
  consumer_ = std::make_unique<BatchConsumer>(
      config_.ConsumerProperties(), config_.metrics_topic, this, &time_,
      [this](const kafka::Message& message) { Ingest(message); },
      [this](int64_t now_ms) { EverySecond(now_ms); });
  components_.Add(consumer_.get());
  evaluator_ = std::make_unique<LoopThread>(
      "evaluation loop", &time_, [this] { return Evaluate(); },
      time_.NowMs() + absl::ToInt64Milliseconds(config_.tick));
  components_.Add(evaluator_.get());
  if (fleet_) {
    HealthFollowerOptions follow;
    follow.topic = config_.health_topic;
    // No further back than the view keeps a report.
    follow.lookback = std::min(follow.lookback, config_.job_expiry);
    follower_ = std::make_unique<HealthFollower>(config_.FollowerProperties(), std::move(follow),
                                                 fleet_.get(), &time_);
    components_.Add(follower_.get());
  }
  wave_writer_ = std::make_unique<WaveWriter>(config_.ProducerProperties(), config_.waves_topic);
  components_.Add(wave_writer_.get());
  WaveFollowerOptions waves;
  waves.topic = config_.waves_topic;
  wave_follower_ = std::make_unique<WaveFollower>(
      config_.WaveFollowerProperties(), std::move(waves), waves_.get(), &time_,
      [this](const v1::Wave& wave) { wave_recorder_->Apply(wave); },
      // Jobs that first reported after a wave was recorded.
      [this] { ApplyRecentWaves(); });
  components_.Add(wave_follower_.get());
  WavesApi::Parts wave_parts;
  wave_parts.registry = registry_.get();
  wave_parts.fleet = fleet_.get();
  wave_parts.book = waves_.get();
  wave_parts.writer = wave_writer_.get();
  wave_parts.recorder = wave_recorder_.get();
  wave_parts.caught_up = [this] { return wave_follower_->caught_up(); };
  wave_parts.self_url = [this] { return api_->self_url(); };
  waves_api_ = std::make_unique<WavesApi>(std::move(wave_parts), time_.clock());
  server_ = std::make_unique<http::Server>(options);
  Route(*server_);
  components_.Add(server_.get());
  if (absl::Status s = components_.StartAll(); !s.ok()) return s;
  // The port is known now (0 binds any): reports name this replica from
  // here on, and the API knows which redirects would come back to it.
  const std::string url =
      config_.AdvertisedUrl(options.web != nullptr && options.web->tls_enabled(), server_->port());
  publisher_->set_scorer_url(url);
  api_->set_self_url(url);
  started_ = true;
  log::Info("scorer started", {{"listen", absl::StrCat(options.address, ":", server_->port())},
                               {"group", config_.group_id},
                               {"topic", config_.metrics_topic},
                               {"url", url},
                               {"fleet_reads", config_.fleet_reads ? "true" : "false"}});
  return absl::OkStatus();
}

void Scorer::Route(http::Server& server) {
  api_->Register(server);
  waves_api_->Register(server);
  server.Route("GET", "/metrics", [this](const http::Request&) {
    if (fleet_metrics_) fleet_metrics_->Update(*fleet_, follower_.get());
    const int64_t now_ms = time_.NowMs();
    wave_metrics_->Update(
        *waves_, [&](const std::string& job) { return registry_->Rollback(job, now_ms); }, now_ms,
        wave_follower_->caught_up());
    return ServeMetrics();
  });
  server.Route("GET", "/healthz",
               [](const http::Request&) { return http::Response::Text(200, "ok"); });
  server.Route("GET", "/readyz", [this](const http::Request&) {
    return ready() ? http::Response::Text(200, "ready")
                   : http::Response::Text(503, "not ready: no partitions assigned yet");
  });
}

void Scorer::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  log::Info("partitions assigned", {{"count", std::to_string(partitions.size())}});
  std::vector<int32_t> ids;
  for (const auto& tp : partitions) ids.push_back(tp.partition);
  // The consumer hands out no batch of these partitions until this
  // returns, and their jobs are not in the registry yet: nothing evaluates
  // or serves them before their state is back.
  if (state_) RestorePartitions(ids);
  // Restored state may predate a wave, and a new job has none: the waves
  // known are recorded on the jobs taken over.
  ApplyRecentWaves();
  ready_ = true;
}

void Scorer::RestorePartitions(const std::vector<int32_t>& partitions) {
  RestoreOutcome outcome = state_->restorer().Restore(partitions);
  metrics_->state_restore_duration.Observe(absl::ToDoubleSeconds(outcome.took));
  const int64_t now = time_.NowMs();
  for (const RestoredJob& job : outcome.jobs) {
    if (!registry_->Restore(job.key, job.partition, job.state, now)) continue;
    job_info_->Update(job.key, job.state);
    // The score gauges show the job at once, not from its next evaluation.
    if (job.state.has_latest()) score_metrics_->Update(job.state.latest());
    metrics_->jobs_restored.Increment();
  }
}

void Scorer::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<int32_t> ids;
  for (const auto& tp : partitions) ids.push_back(tp.partition);
  size_t handed_over = 0;
  for (DroppedJob& job : registry_->DropPartitions(ids)) {
    if (job.latest) score_metrics_->Remove(*job.latest);
    job_info_->Remove(job.key);
    if (!state_) continue;
    absl::Status s =
        state_->writer().Release(job.key, OwnedState{job.partition, std::move(job.state)});
    if (!s.ok()) {
      log::Warn("cannot hand over job state",
                {{"job", job.key}, {"error", std::string(s.message())}});
    }
    ++handed_over;
  }
  if (state_ && handed_over > 0) {
    if (absl::Status s = state_->sink().Flush(kHandOverFlushTimeout); !s.ok()) {
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
    metrics_->jobs_expired.Increment();
    if (state_) {
      if (absl::Status s = state_->writer().Tombstone(job.key, job.partition); !s.ok()) {
        log::Warn("cannot tombstone an expired job",
                  {{"job", job.key}, {"error", std::string(s.message())}});
      }
    }
    log::Info("job expired",
              {{"job", job.key}, {"silent_for", absl::FormatDuration(config_.job_expiry)}});
  }
}

void Scorer::Ingest(const kafka::Message& message) {
  // The batch's own fields here; its series are decoded by its job's
  // window, which knows them (BatchDecoder). Refused: what protobuf's
  // parser would refuse.
  if (!decoder_.DecodeHeader(message.value) || decoder_.header().job_name.empty()) {
    metrics_->batches.Rejected(ScorerMetrics::kInvalid);
    return;
  }
  const BatchHeader& batch = decoder_.header();
  const std::string key = JobKey(batch.tenant, batch.job_name);
  const IntervalWindow::AddResult added =
      registry_->Add(key, decoder_, message.partition, time_.NowMs());
  if (added == IntervalWindow::AddResult::kMalformed) {
    metrics_->batches.Rejected(ScorerMetrics::kInvalid);
    return;
  }
  metrics_->batches.Accepted();
  if (added != IntervalWindow::AddResult::kAccepted)
    metrics_->batches.Rejected(ScorerMetrics::kLate);
  // A batch without labels (from a gateway that does not know them) says
  // nothing about the team: what the others said stands.
  if (!batch.job_labels.empty()) {
    std::string_view team;
    std::string_view tenant;
    for (const LabelRef& l : batch.job_labels) {
      if (l.name == "team") team = l.value;
      if (l.name == "tenant") tenant = l.value;
    }
    job_info_->Update(key, batch.job_name, team, tenant, batch.tenant);
  }
}

void Scorer::EverySecond(int64_t now_ms) {
  metrics_->batches.InFlight(static_cast<double>(consumer_->lag()));
  metrics_->assigned_partitions.Set(static_cast<double>(consumer_->assigned_partitions()));
  // Here rather than in the evaluation loop: every change of which jobs the
  // registry holds happens on the consumer's thread, so a job's series
  // cannot be withdrawn after a batch brought it back.
  ExpireSilentJobs(now_ms);
}

int64_t Scorer::Evaluate() {
  const absl::Time start = absl::Now();
  std::vector<v1::HealthReport> reports = registry_->EvaluateAll(time_.NowMs());
  if (!reports.empty()) {
    metrics_->evaluation_duration.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  }
  for (const v1::HealthReport& report : reports) {
    score_metrics_->Update(report);
    const std::string key = JobKey(report.tenant(), report.job_name());
    publisher_->Publish(key, report);
    if (state_) state_->writer().MarkChanged(key);
  }
  if (state_) {
    state_->writer().PublishDue();
    state_->sink().Poll();
  }
  metrics_->jobs_tracked.Set(static_cast<double>(registry_->size()));
  publisher_->Poll();
  return time_.NowMs() + absl::ToInt64Milliseconds(config_.tick);
}

http::Response Scorer::ServeMetrics() const {
  http::Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics::RenderText(*registry_metrics_);
  return r;
}

absl::Status Scorer::Shutdown(absl::Time deadline) {
  if (!started_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  absl::Status stopped = components_.ShutdownAll(deadline);
  log::Info("scorer stopped");
  return stopped;
}

}  // namespace vitals::scorer
