#include "gateway/receivers/scrape/scraper.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kFormat = "scrape";

}  // namespace

Scraper::Scraper(ScrapeOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
                 IngestMetrics* ingest, prometheus::Registry& registry, const TimeSource& time)
    : options_(std::move(options)),
      metrics_(registry),
      target_set_(options_.files, FileSdDefaults{options_.interval, options_.timeout}) {
  context_.sink = sink;
  context_.processes = processes;
  context_.ingest = ingest;
  context_.metrics = &metrics_;
  context_.max_body_bytes = static_cast<size_t>(options_.max_body_bytes);
  context_.clock = time.clock();
  context_.time = &time;
  ingest->Declare(kFormat);
}

Scraper::~Scraper() { (void)Shutdown(absl::InfiniteFuture()); }

absl::Status Scraper::Start() {
  if (absl::Status s = options_.Validate(); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    if (started_ || stopping_) return absl::FailedPreconditionError("scraper already started");
    started_ = true;
  }
  Refresh();
  {
    absl::MutexLock lock(&mu_);
    if (target_set_.files().empty()) {
      log::Warn("scrape: no file_sd file matches yet",
                {{"files", absl::StrJoin(options_.files, ",")}});
    }
    log::Info("scraper started", {{"targets", std::to_string(loops_.size())},
                                  {"files", std::to_string(target_set_.files().size())}});
  }
  refresher_ = std::thread([this] { RefreshLoop(); });
  return absl::OkStatus();
}

void Scraper::Refresh() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  std::vector<absl::Status> errors;
  const TargetDiff diff = target_set_.Refresh(&errors);
  for (const absl::Status& e : errors) {
    log::Warn("scrape: file_sd problem", {{"error", std::string(e.message())}});
    // Duplicates are a listing mistake, not a refused file.
    if (!absl::IsAlreadyExists(e)) context_.ingest->Rejected(kFormat, "file_sd");
  }
  Apply(diff);
}

void Scraper::Apply(const TargetDiff& diff) {
  for (const std::string& name : diff.removed) {
    auto it = loops_.find(name);
    if (it == loops_.end()) continue;
    it->second->Stop();
    retiring_.push_back(std::move(it->second));
    loops_.erase(it);
    log::Info("scrape target removed", {{"target", name}});
  }
  for (const ScrapeTarget& target : diff.changed) {
    auto it = loops_.find(target.Name());
    if (it != loops_.end()) it->second->Update(target);
  }
  // Reconciled against the whole set rather than diff.added, so that
  // targets left out by the cap start once others leave.
  size_t over_cap = 0;
  for (const auto& [name, target] : target_set_.targets()) {
    if (loops_.contains(name)) continue;
    if (loops_.size() >= static_cast<size_t>(options_.max_targets)) {
      ++over_cap;
      continue;
    }
    loops_.emplace(name, std::make_unique<TargetLoop>(target, context_));
    log::Info("scrape target added", {{"target", name},
                                      {"interval", absl::FormatDuration(target.interval)},
                                      {"timeout", absl::FormatDuration(target.timeout)},
                                      {"origin", target.origin}});
  }
  if (over_cap != over_cap_) {
    if (over_cap > 0) {
      log::Warn("scrape: more targets than max_targets; the rest are not scraped",
                {{"max_targets", std::to_string(options_.max_targets)},
                 {"not_scraped", std::to_string(over_cap)}});
      context_.ingest->Rejected(kFormat, "too_many_targets", static_cast<double>(over_cap));
    }
    over_cap_ = over_cap;
  }
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    if ((*it)->finished()) {
      (*it)->Join();
      it = retiring_.erase(it);
    } else {
      ++it;
    }
  }
  metrics_.SetTargets(static_cast<double>(loops_.size()));
}

void Scraper::RefreshLoop() {
  const absl::Duration period =
      absl::Milliseconds(absl::ToInt64Milliseconds(options_.refresh_interval));
  mu_.Lock();
  while (!stopping_) {
    const absl::Time deadline = absl::Now() + period;
    while (!stopping_) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) break;
    }
    if (stopping_) break;
    mu_.Unlock();
    Refresh();
    mu_.Lock();
  }
  mu_.Unlock();
}

size_t Scraper::targets() const {
  absl::MutexLock lock(&mu_);
  return loops_.size();
}

absl::Status Scraper::Shutdown(absl::Time /*deadline*/) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::OkStatus();
    stopping_ = true;
  }
  cv_.SignalAll();
  if (refresher_.joinable()) refresher_.join();
  // Stop every loop first, then wait: their last scrapes end in parallel.
  std::vector<std::unique_ptr<TargetLoop>> all;
  bool started = false;
  {
    absl::MutexLock lock(&mu_);
    started = started_;
    for (auto& [name, loop] : loops_) {
      loop->Stop();
      all.push_back(std::move(loop));
    }
    loops_.clear();
    for (auto& loop : retiring_) all.push_back(std::move(loop));
    retiring_.clear();
    metrics_.SetTargets(0);
  }
  for (auto& loop : all) loop->Join();
  if (started) log::Info("scraper stopped");
  return absl::OkStatus();
}

}  // namespace vitals::gateway
