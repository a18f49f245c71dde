#include "scorer/window/interval_window.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "common/base/strings.h"

namespace vitals::scorer {
namespace {

// Independent of the labels' order: gateways write maps in any order.
size_t IdentityHash(int32_t scope, std::string_view metric, std::span<const LabelRef> labels) {
  size_t sum = 0;
  for (const LabelRef& l : labels) sum += absl::HashOf(AsAbsl(l.name), AsAbsl(l.value));
  return absl::HashOf(scope, AsAbsl(metric), sum);
}

// The first series of an identity in an interval: its figures as they are.
void CopyFigures(v1::SeriesAggregate& into, const SeriesView& from) {
  into.set_kind(static_cast<v1::MetricKind>(from.kind));
  into.set_count(from.count);
  into.set_sum(from.sum);
  into.set_min(from.min);
  into.set_max(from.max);
  into.set_last(from.last);
  into.set_last_timestamp_ms(from.last_timestamp_ms);
  into.set_sum_squares(from.sum_squares);
  into.set_baselined(from.baselined);
  auto* instances = into.mutable_instances();
  instances->Clear();  // keeps the elements for Add to reuse
  for (const InstanceRef& i : from.instances) {
    v1::InstanceValue* iv = instances->Add();
    iv->mutable_instance()->assign(i.instance.data(), i.instance.size());
    iv->set_value(i.value);
  }
  if (!into.quantile_max().empty()) into.mutable_quantile_max()->clear();
  for (const QuantileRef& q : from.quantile_max) {
    (*into.mutable_quantile_max())[std::string(q.quantile)] = q.value;
  }
}

// Another series of the same identity: aggregate::MergeInto's rules.
void MergeFigures(v1::SeriesAggregate& into, const SeriesView& from) {
  if (into.kind() == v1::METRIC_KIND_UNSPECIFIED) {
    into.set_kind(static_cast<v1::MetricKind>(from.kind));
  }
  into.set_baselined(into.baselined() + from.baselined);
  if (from.count == 0) return;
  if (into.count() == 0) {
    into.set_min(from.min);
    into.set_max(from.max);
  } else {
    into.set_min(std::min(into.min(), from.min));
    into.set_max(std::max(into.max(), from.max));
  }
  into.set_count(into.count() + from.count);
  into.set_sum(into.sum() + from.sum);
  into.set_sum_squares(into.sum_squares() + from.sum_squares);
  if (from.last_timestamp_ms >= into.last_timestamp_ms()) {
    into.set_last(from.last);
    into.set_last_timestamp_ms(from.last_timestamp_ms);
  }
  for (const InstanceRef& i : from.instances) {
    v1::InstanceValue* iv = into.add_instances();
    iv->mutable_instance()->assign(i.instance.data(), i.instance.size());
    iv->set_value(i.value);
  }
  for (const QuantileRef& q : from.quantile_max) {
    auto [it, inserted] =
        into.mutable_quantile_max()->try_emplace(std::string(q.quantile), q.value);
    if (!inserted) it->second = std::max(it->second, q.value);
  }
}

}  // namespace

// Hands an interval's buffer back to the pool once the interval is done.
class IntervalWindow::Lease final : public SeriesLease {
 public:
  Lease(std::shared_ptr<Pool> pool, std::unique_ptr<Buffer> buffer)
      : pool_(std::move(pool)), buffer_(std::move(buffer)) {}
  ~Lease() override {
    buffer_->Reset();
    pool_->free.push_back(std::move(buffer_));
  }

 private:
  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Buffer> buffer_;
};

void IntervalWindow::Buffer::Reset() {
  for (uint32_t slot : used) merged[slot] = 0;
  used.clear();
}

IntervalWindow::IntervalWindow(const MetricSelector* selector, size_t max_open_intervals)
    : selector_(selector),
      max_open_intervals_(max_open_intervals),
      index_(0, SlotHash{&slots_}, SlotEq{&slots_}),
      pool_(std::make_shared<Pool>()) {}

IntervalWindow::~IntervalWindow() = default;

bool IntervalWindow::Matches(const Slot& slot, int32_t scope, std::string_view metric,
                             std::span<const LabelRef> labels) {
  if (!slot.live || slot.scope != scope || slot.metric != metric ||
      slot.labels.size() != labels.size()) {
    return false;
  }
  // Few labels, distinct names on both sides.
  for (const LabelRef& l : labels) {
    bool found = false;
    for (const auto& [name, value] : slot.labels) {
      if (name == l.name) {
        if (value != l.value) return false;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool IntervalWindow::Matches(const Slot& slot, const Probe& probe) {
  return slot.hash == probe.hash && Matches(slot, probe.scope, probe.metric, probe.labels);
}

uint32_t IntervalWindow::Lookup(const SeriesView& series) {
  std::string_view metric = series.metric;
  if (!IsCanonicalMetricName(metric)) {
    // Names are canonical but for reporters the gateway passed through.
    canonical_ = CanonicalMetricName(metric);
    metric = canonical_;
  }
  if (!selector_->Wants(metric)) return kNone;
  const Probe probe{series.scope, metric, series.labels,
                    IdentityHash(series.scope, metric, series.labels)};
  if (auto it = index_.find(probe); it != index_.end()) return *it;
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.scope = series.scope;
  s.metric.assign(metric);
  s.labels.clear();
  for (const LabelRef& l : series.labels) s.labels.emplace_back(l.name, l.value);
  std::sort(s.labels.begin(), s.labels.end());
  s.hash = probe.hash;
  s.generation = ++generations_;
  s.next = kNone;
  s.live = true;
  index_.insert(slot);
  by_metric_stale_ = true;
  return slot;
}

uint32_t IntervalWindow::Expected() const {
  const uint32_t guess = previous_ == kNone ? first_ : slots_[previous_].next;
  return guess != kNone && slots_[guess].live ? guess : kNone;
}

void IntervalWindow::Follow(uint32_t slot) {
  if (previous_ == kNone) {
    first_ = slot;
  } else {
    slots_[previous_].next = slot;
  }
  previous_ = slot;
}

uint32_t IntervalWindow::Guess(std::span<const std::string>* prefixes) {
  const uint32_t guess = Expected();
  if (guess == kNone) return kNoSlot;
  *prefixes = std::span<const std::string>(slots_[guess].prefixes, slots_[guess].prefix_count);
  return guess;
}

uint32_t IntervalWindow::Resolve(const SeriesView& series, std::string_view prefix) {
  const uint32_t guess = Expected();
  uint32_t slot;
  if (guess != kNone && Matches(slots_[guess], series.scope, series.metric, series.labels)) {
    slot = guess;
  } else {
    slot = Lookup(series);
    if (slot == kNone) return kNoSlot;
  }
  // Remembered for next time, unless already known, or absurdly long.
  Slot& s = slots_[slot];
  if (!prefix.empty() && prefix.size() <= 1024 &&
      std::none_of(s.prefixes, s.prefixes + s.prefix_count,
                   [&](const std::string& known) { return known == prefix; })) {
    const uint8_t at = s.prefix_count < 2 ? s.prefix_count++ : s.newest_prefix ^ 1;
    s.prefixes[at].assign(prefix);
    s.newest_prefix = at;
  }
  Follow(slot);
  return slot;
}

void IntervalWindow::Merge(Buffer& buffer, uint32_t slot, const SeriesView& series) {
  if (slot >= buffer.series.size()) {
    buffer.series.resize(slots_.size());
    buffer.generation.resize(slots_.size(), 0);
    buffer.merged.resize(slots_.size(), 0);
  }
  std::unique_ptr<v1::SeriesAggregate>& s = buffer.series[slot];
  if (buffer.merged[slot]) {
    MergeFigures(*s, series);
    return;
  }
  buffer.merged[slot] = 1;
  buffer.used.push_back(slot);
  const Slot& identity = slots_[slot];
  if (s == nullptr) s = std::make_unique<v1::SeriesAggregate>();
  if (buffer.generation[slot] != identity.generation) {
    buffer.generation[slot] = identity.generation;
    s->Clear();
    s->set_scope(static_cast<v1::Scope>(identity.scope));
    s->set_metric(identity.metric);
    for (const auto& [name, value] : identity.labels) (*s->mutable_labels())[name] = value;
  }
  CopyFigures(*s, series);
}

IntervalWindow::AddResult IntervalWindow::AddSerialized(std::string_view bytes) {
  thread_local BatchDecoder decoder;
  if (!decoder.DecodeHeader(bytes)) return AddResult::kMalformed;
  return Add(decoder);
}

IntervalWindow::AddResult IntervalWindow::Add(BatchDecoder& decoder) {
  if (!decoder.DecodeSeries(this)) return AddResult::kMalformed;
  return Take(decoder, /*resolved=*/true);
}

IntervalWindow::AddResult IntervalWindow::Add(const v1::MetricBatch& batch) {
  thread_local BatchDecoder decoder;
  decoder.Load(batch);
  return Take(decoder, /*resolved=*/false);
}

IntervalWindow::AddResult IntervalWindow::Take(const BatchDecoder& decoded, bool resolved) {
  const BatchHeader& batch = decoded.header();
  const int64_t start = batch.interval_start_ms;
  if (start < closed_until_ms_) return AddResult::kLate;
  auto it = open_.find(start);
  if (it == open_.end()) {
    if (open_.size() >= max_open_intervals_) return AddResult::kOverflow;
    it = open_.emplace(start, Open{}).first;
    if (!pool_->free.empty()) {
      it->second.buffer = std::move(pool_->free.back());
      pool_->free.pop_back();
    } else {
      it->second.buffer = std::make_unique<Buffer>();
    }
  }
  Open& open = it->second;
  for (const auto& [gateway, part] : open.seen) {
    if (part == batch.part && gateway == batch.gateway) return AddResult::kDuplicate;
  }
  open.seen.emplace_back(batch.gateway, batch.part);
  open.length_ms = std::max<int64_t>(open.length_ms, batch.interval_length_ms);
  if (!batch.job_id.empty()) open.job_id.assign(batch.job_id);
  if (!batch.cluster.empty()) open.cluster.assign(batch.cluster);
  // Every part of a split batch repeats the figures: count the gateway once.
  if (batch.part == 0) {
    open.sharing.Add(batch.processes, batch.shared_processes, batch.max_jobs_per_process);
  }

  if (!resolved) BeginBatch();
  for (const SeriesView& series : decoded.series()) {
    const uint32_t slot = resolved ? series.slot : Resolve(series, {});
    if (slot == kNone) continue;
    slots_[slot].last_start_ms = std::max(slots_[slot].last_start_ms, start);
    Merge(*open.buffer, slot, series);
  }
  return AddResult::kAccepted;
}

void IntervalWindow::Forget(int64_t before_ms) {
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (!s.live || s.last_start_ms >= before_ms) continue;
    index_.erase(i);
    s.live = false;
    s.metric.clear();
    s.labels.clear();
    s.prefix_count = 0;
    s.next = kNone;
    free_slots_.push_back(i);
    by_metric_stale_ = true;
  }
}

std::vector<MergedInterval> IntervalWindow::Close(int64_t now_ms, absl::Duration grace) {
  const int64_t grace_ms = absl::ToInt64Milliseconds(grace);
  std::vector<MergedInterval> closed;
  int64_t forget_before = INT64_MIN;
  while (!open_.empty()) {
    auto it = open_.begin();
    const int64_t end = it->first + it->second.length_ms;
    if (end + grace_ms > now_ms) break;
    Open& open = it->second;
    if (by_metric_stale_) {
      by_metric_.clear();
      for (uint32_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].live) by_metric_.push_back(i);
      }
      std::sort(by_metric_.begin(), by_metric_.end(), [&](uint32_t a, uint32_t b) {
        return MetricBefore(slots_[a].metric, slots_[b].metric);
      });
      by_metric_stale_ = false;
    }
    const Buffer& buffer = *open.buffer;
    std::vector<const v1::SeriesAggregate*> series;
    series.reserve(buffer.used.size());
    for (uint32_t slot : by_metric_) {
      if (slot < buffer.merged.size() && buffer.merged[slot]) {
        series.push_back(buffer.series[slot].get());
      }
    }
    closed.emplace_back(it->first, open.length_ms, std::move(open.job_id), std::move(open.cluster),
                        std::make_unique<Lease>(pool_, std::move(open.buffer)), std::move(series));
    closed.back().set_sharing(open.sharing);
    closed_until_ms_ = std::max(closed_until_ms_, end);
    forget_before = std::max(forget_before, it->first - kForgetAfterIntervals * open.length_ms);
    open_.erase(it);
  }
  if (!closed.empty()) Forget(forget_before);
  return closed;
}

}  // namespace vitals::scorer
