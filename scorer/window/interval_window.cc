#include "scorer/window/interval_window.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "common/aggregate/series_merge.h"
#include "common/base/strings.h"

namespace vitals::scorer {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

}  // namespace

bool SameSeries(const v1::SeriesAggregate& a, const v1::SeriesAggregate& b) {
  if (a.scope() != b.scope() || a.metric() != b.metric() || a.labels_size() != b.labels_size()) {
    return false;
  }
  for (const auto& [name, value] : a.labels()) {
    auto it = b.labels().find(name);
    if (it == b.labels().end() || it->second != value) return false;
  }
  return true;
}

size_t SeriesHash(const v1::SeriesAggregate& s) {
  // Summing the label hashes makes the result independent of map order.
  size_t labels = 0;
  for (const auto& [name, value] : s.labels()) {
    labels += absl::HashOf(AsAbsl(name), AsAbsl(value));
  }
  return absl::HashOf(static_cast<int>(s.scope()), AsAbsl(s.metric()), labels);
}

IntervalWindow::IntervalWindow(const MetricSelector* selector, size_t max_open_intervals)
    : selector_(selector), max_open_intervals_(max_open_intervals) {}

IntervalWindow::AddResult IntervalWindow::Add(v1::MetricBatch&& batch) {
  OwnedBatch owned;
  owned.heap = std::make_unique<v1::MetricBatch>(std::move(batch));
  owned.batch = owned.heap.get();
  return Take(std::move(owned));
}

IntervalWindow::AddResult IntervalWindow::AddSerialized(std::string_view bytes,
                                                        const v1::MetricBatch** decoded) {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 * 1024;
  options.max_block_size = 64 * 1024;
  OwnedBatch owned;
  owned.arena = std::make_unique<google::protobuf::Arena>(options);
  owned.batch = google::protobuf::Arena::CreateMessage<v1::MetricBatch>(owned.arena.get());
  if (!owned.batch->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return AddResult::kMalformed;
  }
  const v1::MetricBatch* batch = owned.batch;
  const AddResult result = Take(std::move(owned));
  if (decoded != nullptr) *decoded = result == AddResult::kAccepted ? batch : nullptr;
  return result;
}

IntervalWindow::AddResult IntervalWindow::Take(OwnedBatch owned) {
  v1::MetricBatch& batch = *owned.batch;
  const int64_t start = batch.interval_start_ms();
  if (start < closed_until_ms_) return AddResult::kLate;
  auto it = open_.find(start);
  if (it == open_.end()) {
    if (open_.size() >= max_open_intervals_) return AddResult::kOverflow;
    it = open_.emplace(start, Open{}).first;
    // A typical job's scored series, so that merging does not rehash.
    it->second.by_hash.reserve(128);
    it->second.series.reserve(128);
    it->second.next.reserve(128);
  }
  Open& open = it->second;
  const std::pair<std::string, uint32_t> source(batch.gateway(), batch.part());
  if (std::find(open.seen.begin(), open.seen.end(), source) != open.seen.end()) {
    return AddResult::kDuplicate;
  }
  open.seen.push_back(source);
  open.length_ms = std::max<int64_t>(open.length_ms, batch.interval_length_ms());
  if (!batch.job_id().empty()) open.job_id = batch.job_id();
  if (!batch.cluster().empty()) open.cluster = batch.cluster();
  // Every part of a split batch repeats the figures: count the gateway once.
  if (batch.part() == 0) {
    open.sharing.Add(batch.processes(), batch.shared_processes(), batch.max_jobs_per_process());
  }

  for (v1::SeriesAggregate& series : *batch.mutable_series()) {
    if (!selector_->Wants(series.metric())) {
      // Names are canonical but for reporters the gateway passed through.
      if (IsCanonicalMetricName(series.metric())) continue;
      std::string canonical = CanonicalMetricName(series.metric());
      if (!selector_->Wants(canonical)) continue;
      series.set_metric(std::move(canonical));
    }
    Merge(open, &series);
  }
  open.batches.push_back(std::move(owned));
  return AddResult::kAccepted;
}

IntervalWindow::AddResult IntervalWindow::Add(const v1::MetricBatch& batch) {
  v1::MetricBatch wanted;
  wanted.set_gateway(batch.gateway());
  wanted.set_cluster(batch.cluster());
  wanted.set_interval_start_ms(batch.interval_start_ms());
  wanted.set_interval_length_ms(batch.interval_length_ms());
  wanted.set_job_id(batch.job_id());
  wanted.set_part(batch.part());
  wanted.set_processes(batch.processes());
  wanted.set_shared_processes(batch.shared_processes());
  wanted.set_max_jobs_per_process(batch.max_jobs_per_process());
  wanted.mutable_series()->Reserve(batch.series_size());
  for (const v1::SeriesAggregate& series : batch.series()) {
    if (selector_->Wants(series.metric()) || !IsCanonicalMetricName(series.metric())) {
      *wanted.add_series() = series;
    }
  }
  return Add(std::move(wanted));
}

void IntervalWindow::Merge(Open& open, v1::SeriesAggregate* series) {
  const auto index = static_cast<uint32_t>(open.series.size());
  auto [slot, inserted] = open.by_hash.try_emplace(SeriesHash(*series), index);
  if (!inserted) {
    uint32_t i = slot->second;
    while (true) {
      if (SameSeries(*open.series[i], *series)) {
        aggregate::MergeInto(*open.series[i], *series);
        return;
      }
      if (open.next[i] == kNone) break;
      i = open.next[i];
    }
    open.next[i] = index;  // a hash collision: chain the new series
  }
  open.series.push_back(series);
  open.next.push_back(kNone);
}

std::vector<MergedInterval> IntervalWindow::Close(int64_t now_ms, absl::Duration grace) {
  const int64_t grace_ms = absl::ToInt64Milliseconds(grace);
  std::vector<MergedInterval> closed;
  while (!open_.empty()) {
    auto it = open_.begin();
    const int64_t end = it->first + it->second.length_ms;
    if (end + grace_ms > now_ms) break;
    Open& open = it->second;
    closed.emplace_back(
        it->first, open.length_ms, std::move(open.job_id), std::move(open.cluster),
        std::move(open.batches),
        std::vector<const v1::SeriesAggregate*>(open.series.begin(), open.series.end()));
    closed.back().set_sharing(open.sharing);
    closed_until_ms_ = std::max(closed_until_ms_, end);
    open_.erase(it);
  }
  return closed;
}

}  // namespace vitals::scorer
