#include "gateway/aggregate/aggregator_shard.h"

#include <algorithm>
#include <cmath>

#include "absl/container/inlined_vector.h"
#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

// No real sample is this old; anything older is late, and keeping it out
// keeps interval arithmetic (and kNoInterval) clear of overflow.
constexpr int64_t kOldestTimestampMs = INT64_MIN / 2;

int64_t IntervalStart(int64_t timestamp_ms, int64_t interval_ms) {
  int64_t q = timestamp_ms / interval_ms;
  if (timestamp_ms % interval_ms < 0) --q;
  return q * interval_ms;
}

// Group keys are length-prefixed pieces like source keys (source_key.h).
void AppendLength(std::string& out, size_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

void AppendPiece(std::string& out, std::string_view piece) {
  AppendLength(out, piece.size());
  out.append(piece);
}

std::string_view LabelValue(std::span<const LabelView> labels, std::string_view name) {
  for (const LabelView& label : labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

}  // namespace

FoldRules::FoldRules(const AggregatorConfig& config)
    : gateway(config.gateway),
      cluster(config.cluster),
      interval_ms(config.interval_ms()),
      max_series(config.max_series),
      max_series_per_job(config.max_series_per_job),
      max_new_series_per_source(config.max_new_series_per_source),
      open_series(config.open_series()),
      expire_after_intervals(config.expire_after_intervals),
      fold_source(std::find(config.fold_labels.begin(), config.fold_labels.end(), "source") !=
                  config.fold_labels.end()),
      fold_labels(config.fold_labels.begin(), config.fold_labels.end()),
      raw_metrics(config.raw_metrics.begin(), config.raw_metrics.end()),
      instance_metrics(config.instance_metrics.begin(), config.instance_metrics.end()),
      job_labels(config.job_labels.begin(), config.job_labels.end()),
      tenant_label(config.tenant_label),
      catalog(config.cumulative_metrics) {}

SeriesAccumulator& AggregatorShard::Group::At(int64_t interval_start_ms) {
  for (auto it = open.rbegin(); it != open.rend(); ++it) {
    if (it->interval_start_ms() == interval_start_ms) return *it;
    if (it->interval_start_ms() < interval_start_ms) {
      return *open.emplace(it.base(), interval_start_ms);
    }
  }
  return *open.emplace(open.begin(), interval_start_ms);
}

AggregatorShard::AggregatorShard(const FoldRules* rules, std::atomic<int64_t>* global_series,
                                 SourceLedger* sources)
    : rules_(rules),
      global_series_(global_series),
      sources_(sources),
      closed_before_ms_(kNoInterval) {}

AggregatorShard::Route AggregatorShard::RouteOf(const FlinkSample& sample) {
  if (sample.type != SampleType::kSummary) return {{}, {}, sample.type};
  if (sample.quantile.empty()) return {{}, {}, SampleType::kUntyped};
  const char c = sample.quantile.front();
  if ((c >= '0' && c <= '9') || c == '.') return {{}, sample.quantile, SampleType::kSummary};
  // A summary's count and sum are cumulative like Flink's counters; other
  // named fields (StatsD's mean, stddev) are plain gauges.
  if (sample.quantile == "count" || sample.quantile == "sum") {
    return {sample.quantile, {}, SampleType::kCounter};
  }
  return {sample.quantile, {}, SampleType::kGauge};
}

void AggregatorShard::Add(const FlinkSample& sample) {
  absl::MutexLock lock(&mu_);
  if (!std::isfinite(sample.value)) {
    ++non_finite_skipped_;
    return;
  }
  if (MetricCatalog::IsUndefinedValue(sample.metric, sample.value)) {
    ++undefined_skipped_;
    return;
  }
  // Nearly every sample falls into the interval of the one before it: skip
  // the division then. (Unsigned: an earlier timestamp wraps to "outside".)
  if (static_cast<uint64_t>(sample.timestamp_ms) - static_cast<uint64_t>(latest_interval_ms_) >=
      static_cast<uint64_t>(rules_->interval_ms)) {
    if (sample.timestamp_ms < kOldestTimestampMs) {
      Drop(DropReason::kLate, sample.source);
      return;
    }
    latest_interval_ms_ = IntervalStart(sample.timestamp_ms, rules_->interval_ms);
  }
  const int64_t interval_start = latest_interval_ms_;
  if (interval_start < closed_before_ms_) {
    Drop(DropReason::kLate, sample.source);
    return;
  }
  const Route route = RouteOf(sample);
  const std::string_view key = key_encoder_.Encode(sample.job_name, sample.scope, sample.metric,
                                                   route.suffix, sample.labels, sample.source);
  Slot* slot = slots_.FindExpected(key);
  if (slot == nullptr) {
    const uint64_t key_hash = SourceKeyHash::Hash(key.data(), key.size());
    slot = slots_.Find(key, key_hash);
    if (slot == nullptr) slot = CreateSlot(sample, route, key, key_hash, interval_start);
    if (slot == nullptr) return;
  }
  Update(*slot, sample, route, interval_start);
}

AggregatorShard::Slot* AggregatorShard::CreateSlot(const FlinkSample& sample, const Route& route,
                                                   std::string_view key, uint64_t key_hash,
                                                   int64_t interval_start) {
  auto job_it = jobs_.find(AsAbsl(sample.job_name));
  if (job_it != jobs_.end() && job_it->second.series >= rules_->max_series_per_job) {
    Drop(DropReason::kJobCap, sample.source);
    return nullptr;
  }
  const int64_t held = global_series_->fetch_add(1, std::memory_order_relaxed);
  if (held >= rules_->max_series) {
    global_series_->fetch_sub(1, std::memory_order_relaxed);
    Drop(DropReason::kGlobalCap, sample.source);
    return nullptr;
  }
  // The fair caps: one hash lookup of the sender per new series.
  switch (sources_->Admit(sample.source, interval_start, rules_->max_new_series_per_source,
                          held >= rules_->open_series)) {
    case SourceLedger::Verdict::kAdmit:
      break;
    case SourceLedger::Verdict::kSourceCap:
      global_series_->fetch_sub(1, std::memory_order_relaxed);
      Drop(DropReason::kSourceCap, sample.source);
      return nullptr;
    case SourceLedger::Verdict::kReserved:
      global_series_->fetch_sub(1, std::memory_order_relaxed);
      Drop(DropReason::kGlobalCap, sample.source);
      return nullptr;
  }

  std::string metric(sample.metric);
  if (!route.suffix.empty()) {
    metric.push_back('_');
    metric.append(route.suffix);
  }
  v1::MetricKind kind = rules_->catalog.Classify(sample.scope, metric, route.type);
  if (job_it == jobs_.end()) job_it = jobs_.try_emplace(std::string(sample.job_name)).first;
  Job& job = job_it->second;
  NoteJobLabels(job, sample.labels);
  Group* group = GroupFor(job, sample.scope, sample.metric, std::move(metric), sample.labels,
                          sample.source, &kind);
  if (group == nullptr) {
    global_series_->fetch_sub(1, std::memory_order_relaxed);
    sources_->Unadmit(sample.source, interval_start);
    return nullptr;
  }

  // A kind of sender is counted from its first series, so that its drop
  // counters are exported (at zero) before any drop.
  dropped_.Note(SourceKindOf(sample.source));
  Slot& slot = slots_.Insert(key, key_hash);
  slot.job = &job;
  slot.group = group;
  slot.kind = kind;
  slot.type = route.type;
  slot.suffix_size = static_cast<uint8_t>(route.suffix.size());
  if (kind == v1::METRIC_KIND_SUMMARY) slot.extra = std::make_unique<SlotExtra>();
  if (rules_->instance_metrics.contains(AsAbsl(sample.metric))) {
    SetInstance(slot, sample.labels, sample.source);
  }
  ++job.series;
  ++group->sources;
  return &slot;
}

AggregatorShard::Group* AggregatorShard::GroupFor(Job& job, v1::Scope scope,
                                                  std::string_view base_metric, std::string metric,
                                                  std::span<const LabelView> labels,
                                                  std::string_view source, v1::MetricKind* kind) {
  const bool raw = rules_->raw_metrics.contains(AsAbsl(base_metric));
  std::vector<std::pair<std::string_view, std::string_view>> kept;
  bool has_source_label = false;
  for (const LabelView& label : labels) {
    has_source_label |= label.name == "source";
    if (rules_->job_labels.contains(AsAbsl(label.name))) continue;  // see NoteJobLabels
    if (raw || !rules_->fold_labels.contains(AsAbsl(label.name))) {
      kept.emplace_back(label.name, label.value);
    }
  }
  if (!rules_->fold_source && !has_source_label && !source.empty()) {
    kept.emplace_back("source", source);
    std::sort(kept.begin(), kept.end());
  }
  std::string group_key;
  group_key.push_back(static_cast<char>(scope));
  AppendPiece(group_key, metric);
  for (const auto& [name, value] : kept) {
    AppendPiece(group_key, name);
    AppendPiece(group_key, value);
  }

  auto [group_it, new_group] = job.groups.try_emplace(std::move(group_key));
  Group& group = group_it->second;
  if (new_group) {
    ++aggregates_;
    group.scope = scope;
    group.metric = std::move(metric);
    group.labels.reserve(kept.size());
    for (const auto& [name, value] : kept) group.labels.emplace_back(name, value);
    group.kind = *kind;
  } else if (group.sources == 0 && group.open.empty()) {
    group.kind = *kind;  // nothing folded yet under the old kind: the new one decides
  } else if (group.kind != *kind) {
    // Sources that disagree on a series' kind: the first one seen decides,
    // except that a summary's quantiles cannot share a series with values.
    if ((group.kind == v1::METRIC_KIND_SUMMARY) != (*kind == v1::METRIC_KIND_SUMMARY)) {
      Drop(DropReason::kKindConflict, source);
      return nullptr;
    }
    *kind = group.kind;
  }
  return &group;
}

void AggregatorShard::SetInstance(Slot& slot, std::span<const LabelView> labels,
                                  std::string_view source) {
  slot.keep_instance = true;
  std::string_view instance = LabelValue(labels, "subtask_index");
  if (instance.empty()) instance = LabelValue(labels, "tm_id");
  if (instance.empty()) instance = LabelValue(labels, "host");
  if (instance.empty()) instance = source;
  if (slot.extra == nullptr) slot.extra = std::make_unique<SlotExtra>();
  slot.extra->instance = std::string(instance);
}

void AggregatorShard::Rebind(const FoldRules* rules) {
  absl::MutexLock lock(&mu_);
  rules_ = rules;
  // Sources are counted afresh, so that an aggregate whose every source
  // moves away (or changes kind) is free to take a new kind.
  for (auto& [name, job] : jobs_) {
    for (auto& [group_key, group] : job.groups) group.sources = 0;
  }
  DecodedSourceKey key;
  slots_.ForEach([&](std::string_view encoded, Slot& slot) {
    // Called back under Rebind's lock, which the analysis cannot follow
    // through ForEach.
    mu_.AssertHeld();
    if (!DecodeSourceKey(encoded, &key)) {  // cannot happen: we encoded it
      ++slot.group->sources;
      return;
    }
    const std::string_view base_metric =
        slot.suffix_size == 0 ? key.metric
                              : key.metric.substr(0, key.metric.size() - slot.suffix_size - 1);
    v1::MetricKind kind = slot.kind == v1::METRIC_KIND_SUMMARY
                              ? slot.kind
                              : rules_->catalog.Classify(key.scope, key.metric, slot.type);
    NoteJobLabels(*slot.job, key.labels);
    Group* group = GroupFor(*slot.job, key.scope, base_metric, std::string(key.metric), key.labels,
                            key.source, &kind);
    if (group == nullptr) {  // a kind conflict: keeps its old aggregate
      ++slot.group->sources;
      return;
    }
    ++group->sources;
    slot.group = group;
    if (kind != slot.kind) {
      slot.kind = kind;
      slot.has_baseline = false;
    }
    if (rules_->instance_metrics.contains(AsAbsl(base_metric))) {
      SetInstance(slot, key.labels, key.source);
    } else {
      slot.keep_instance = false;
    }
  });
  for (auto& [name, job] : jobs_) ForgetEmptyGroups(job);
}

void AggregatorShard::ForgetEmptyGroups(Job& job) {
  for (auto it = job.groups.begin(); it != job.groups.end();) {
    if (it->second.sources == 0 && it->second.open.empty()) {
      --aggregates_;
      job.groups.erase(it++);
    } else {
      ++it;
    }
  }
}

void AggregatorShard::NoteJobLabels(Job& job, std::span<const LabelView> labels) {
  for (const LabelView& label : labels) {
    if (!rules_->job_labels.contains(AsAbsl(label.name))) continue;
    auto it = job.labels.find(label.name);
    if (it == job.labels.end()) {
      job.labels.emplace(std::string(label.name), std::string(label.value));
    } else if (it->second != label.value) {
      it->second.assign(label.value);
    }
  }
}

void AggregatorShard::Update(Slot& slot, const FlinkSample& sample, const Route& route,
                             int64_t interval_start) {
  const bool summary = slot.kind == v1::METRIC_KIND_SUMMARY;
  if (summary == route.quantile.empty()) {
    Drop(DropReason::kKindConflict, sample.source);
    return;
  }
  if (slot.pending_interval_ms != interval_start) {
    if (slot.pending_interval_ms != kNoInterval) {
      // Each source series moves forward only: its value for an interval is
      // final once it reports in a later one.
      if (interval_start < slot.pending_interval_ms) {
        Drop(DropReason::kLate, sample.source);
        return;
      }
      FoldPending(slot);
    }
    slot.pending_interval_ms = interval_start;
    slot.last_seen_interval_ms = interval_start;
    slot.timestamp_ms = sample.timestamp_ms;
    slot.value = sample.value;
  } else if (sample.timestamp_ms >= slot.timestamp_ms) {
    slot.timestamp_ms = sample.timestamp_ms;
    slot.value = sample.value;
  }
  if (summary) {
    std::vector<QuantileSlot>& quantiles = slot.extra->quantiles;
    auto it = std::find_if(quantiles.begin(), quantiles.end(),
                           [&](const QuantileSlot& q) { return q.quantile == route.quantile; });
    if (it == quantiles.end()) {
      it = quantiles.insert(quantiles.end(), QuantileSlot{std::string(route.quantile)});
    }
    it->value = sample.value;
    it->set = true;
  }

  Job& job = *slot.job;
  if (!sample.cluster.empty() && job.cluster != sample.cluster) job.cluster.assign(sample.cluster);
  // Process-level samples (a TaskManager's CPU) carry no job id: they must
  // not erase the one the job's own samples gave.
  if (sample.job_id.empty()) {
    ++samples_folded_;
    return;
  }
  if (job.ids.empty() || job.ids.back().first != interval_start ||
      job.ids.back().second != sample.job_id) {
    auto it = std::find_if(job.ids.begin(), job.ids.end(),
                           [&](const auto& entry) { return entry.first >= interval_start; });
    if (it == job.ids.end() || it->first != interval_start) {
      it = job.ids.emplace(it, interval_start, std::string());
    }
    it->second.assign(sample.job_id);
  }
  ++samples_folded_;
}

void AggregatorShard::FoldPending(Slot& slot) {
  SeriesAccumulator& acc = slot.group->At(slot.pending_interval_ms);
  slot.pending_interval_ms = kNoInterval;
  double value = slot.value;
  switch (slot.kind) {
    case v1::METRIC_KIND_SUMMARY: {
      absl::InlinedVector<QuantileValue, 16> quantiles;
      for (QuantileSlot& q : slot.extra->quantiles) {
        if (!q.set) continue;
        quantiles.push_back({q.quantile, q.value});
        q.set = false;
      }
      acc.AddSummary(quantiles);
      return;
    }
    case v1::METRIC_KIND_COUNTER: {
      const double cumulative = slot.value;
      if (!slot.has_baseline) {
        slot.has_baseline = true;
        slot.baseline = cumulative;
        acc.AddBaseline();
        return;
      }
      // A decrease is a restart from zero: all of the new value is new.
      value = cumulative >= slot.baseline ? cumulative - slot.baseline : cumulative;
      slot.baseline = cumulative;
      break;
    }
    default:
      break;
  }
  acc.AddValue(value, slot.timestamp_ms);
  if (slot.keep_instance) acc.AddInstance(slot.extra->instance, value);
}

void AggregatorShard::Close(int64_t close_before_ms, std::vector<v1::MetricBatch>* out) {
  absl::MutexLock lock(&mu_);
  closed_before_ms_ = std::max(closed_before_ms_, close_before_ms);
  const int64_t expire_span = (rules_->expire_after_intervals + 1) * rules_->interval_ms;
  // Series forgotten per sender, for its books: usually a few senders
  // (copied: each key is put together in a buffer the next one reuses).
  absl::flat_hash_map<std::string, int64_t> released;
  slots_.EraseIf([&](const auto& key, Slot& slot) {
    // Called back under Close's lock, which the analysis cannot follow
    // through EraseIf.
    mu_.AssertHeld();
    if (slot.pending_interval_ms != kNoInterval && slot.pending_interval_ms < close_before_ms) {
      FoldPending(slot);
    }
    if (slot.pending_interval_ms != kNoInterval ||
        close_before_ms - slot.last_seen_interval_ms < expire_span) {
      return false;
    }
    --slot.group->sources;
    --slot.job->series;
    global_series_->fetch_sub(1, std::memory_order_relaxed);
    ++series_expired_;
    const std::string_view source = SourceOfKey(key());
    if (auto it = released.find(AsAbsl(source)); it != released.end()) {
      ++it->second;
    } else {
      released.emplace(std::string(source), 1);
    }
    return true;
  });
  for (const auto& [source, count] : released) sources_->Release(source, count);

  std::vector<std::pair<const std::string*, Group*>> ready;
  std::vector<std::pair<int64_t, size_t>> batch_of_interval;
  for (auto job_it = jobs_.begin(); job_it != jobs_.end();) {
    const std::string& job_name = job_it->first;
    Job& job = job_it->second;
    ready.clear();
    batch_of_interval.clear();
    for (auto& [key, group] : job.groups) {
      if (!group.open.empty() && group.open.front().interval_start_ms() < close_before_ms) {
        ready.emplace_back(&key, &group);
      }
    }
    std::sort(ready.begin(), ready.end(),
              [](const auto& a, const auto& b) { return *a.first < *b.first; });
    for (auto& [key, group] : ready) {
      while (!group->open.empty() && group->open.front().interval_start_ms() < close_before_ms) {
        const SeriesAccumulator& acc = group->open.front();
        const int64_t interval_start = acc.interval_start_ms();
        auto batch_it =
            std::find_if(batch_of_interval.begin(), batch_of_interval.end(),
                         [&](const auto& entry) { return entry.first == interval_start; });
        if (batch_it == batch_of_interval.end()) {
          v1::MetricBatch& batch = out->emplace_back();
          batch.set_gateway(rules_->gateway);
          batch.set_cluster(job.cluster.empty() ? rules_->cluster : job.cluster);
          batch.set_interval_start_ms(interval_start);
          batch.set_interval_length_ms(rules_->interval_ms);
          batch.set_job_name(job_name);
          for (const auto& [name, value] : job.labels) {
            (*batch.mutable_job_labels())[name] = value;
            if (name == rules_->tenant_label) batch.set_tenant(value);
          }
          for (const auto& [id_interval, id] : job.ids) {
            if (id_interval <= interval_start) batch.set_job_id(id);
          }
          batch_it =
              batch_of_interval.emplace(batch_of_interval.end(), interval_start, out->size() - 1);
        }
        v1::SeriesAggregate& series = *(*out)[batch_it->second].add_series();
        series.set_scope(group->scope);
        series.set_metric(group->metric);
        series.set_kind(group->kind);
        for (const auto& [name, value] : group->labels) (*series.mutable_labels())[name] = value;
        acc.WriteTo(series);
        group->open.erase(group->open.begin());
      }
    }
    ForgetEmptyGroups(job);
    // Keep the newest id: a series still pending may report under it.
    while (job.ids.size() > 1 && job.ids[1].first < close_before_ms) job.ids.erase(job.ids.begin());
    if (job.groups.empty() && job.series == 0) {
      jobs_.erase(job_it++);
    } else {
      ++job_it;
    }
  }
  // After a flood of short-lived jobs: the table's memory back.
  if (jobs_.capacity() > 1024 && jobs_.size() * 4 < jobs_.capacity()) jobs_.rehash(0);
}

void AggregatorShard::AddStatsTo(AggregatorStats& stats) const {
  absl::MutexLock lock(&mu_);
  stats.active_aggregates += aggregates_;
  stats.samples_folded += samples_folded_;
  stats.non_finite_skipped += non_finite_skipped_;
  stats.undefined_skipped += undefined_skipped_;
  stats.series_expired += series_expired_;
  stats.dropped.Add(dropped_);
}

}  // namespace vitals::gateway
