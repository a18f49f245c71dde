#include "gateway/aggregate/aggregator.h"

#include <algorithm>

#include "common/base/strings.h"
#include "gateway/aggregate/aggregator_shard.h"
#include "gateway/aggregate/memory_release.h"
#include "gateway/aggregate/source_key.h"

namespace vitals::gateway {
namespace {

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step < 0) --q;
  return q * step;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Aggregator>> Aggregator::Create(AggregatorConfig config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::make_unique<Aggregator>(std::move(config));
}

Aggregator::Aggregator(AggregatorConfig config)
    : config_(std::move(config)), interval_ms_(config_.interval_ms()) {
  FixMallocThresholds();
  all_rules_.push_back(std::make_unique<FoldRules>(config_));
  shards_.reserve(config_.shards);
  for (uint32_t i = 0; i < config_.shards; ++i) {
    shards_.push_back(
        std::make_unique<AggregatorShard>(all_rules_.back().get(), &series_, &sources_));
  }
}

absl::Status Aggregator::Reload(AggregatorConfig config) {
  absl::MutexLock lock(&flush_mu_);
  config.gateway = config_.gateway;
  config.cluster = config_.cluster;
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  if (config.interval != config_.interval) {
    return absl::InvalidArgumentError(
        "aggregation.interval: cannot change on reload (every gateway must cut the same "
        "intervals): restart the gateway");
  }
  if (config.shards != config_.shards) {
    return absl::InvalidArgumentError("aggregation.shards: cannot change on reload: restart");
  }
  all_rules_.push_back(std::make_unique<FoldRules>(config));
  for (auto& shard : shards_) shard->Rebind(all_rules_.back().get());
  config_ = std::move(config);
  return absl::OkStatus();
}

Aggregator::~Aggregator() = default;

void Aggregator::OnFlinkSample(const FlinkSample& sample) {
  // The source-key hash: inline, and cheaper than absl::Hash on the short
  // strings job names are.
  const uint64_t hash = SourceKeyHash::Hash(sample.job_name.data(), sample.job_name.size());
  shards_[hash % shards_.size()]->Add(sample);
}

std::vector<v1::MetricBatch> Aggregator::Flush(int64_t now_ms) {
  return CloseBefore(FloorTo(now_ms, interval_ms_));
}

std::vector<v1::MetricBatch> Aggregator::FlushAll(int64_t now_ms) {
  return CloseBefore(FloorTo(now_ms, interval_ms_) + interval_ms_);
}

std::vector<v1::MetricBatch> Aggregator::CloseBefore(int64_t close_before_ms) {
  absl::MutexLock lock(&flush_mu_);
  std::vector<v1::MetricBatch> batches;
  for (auto& shard : shards_) shard->Close(close_before_ms, &batches);
  sources_.Sweep(close_before_ms);
  std::sort(batches.begin(), batches.end(), [](const v1::MetricBatch& a, const v1::MetricBatch& b) {
    if (a.interval_start_ms() != b.interval_start_ms()) {
      return a.interval_start_ms() < b.interval_start_ms();
    }
    return a.job_name() < b.job_name();
  });
  uint64_t intervals = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    if (i == 0 || batches[i].interval_start_ms() != batches[i - 1].interval_start_ms()) ++intervals;
  }
  intervals_flushed_ += intervals;
  batches_flushed_ += batches.size();
  return batches;
}

AggregatorStats Aggregator::stats() const {
  AggregatorStats stats;
  stats.active_series = series_.load(std::memory_order_relaxed);
  stats.active_sources = sources_.size();
  for (const auto& shard : shards_) shard->AddStatsTo(stats);
  stats.intervals_flushed = intervals_flushed_.load(std::memory_order_relaxed);
  stats.batches_flushed = batches_flushed_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace vitals::gateway
