#include "scorer/state/state_writer.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "scorer/state/record_fit.h"

namespace vitals::scorer {

StateWriter::StateWriter(StateSink* sink, absl::Duration min_interval, Snapshot snapshot,
                         Clock clock, StateWriterLimits limits)
    : sink_(sink),
      min_interval_ms_(absl::ToInt64Milliseconds(min_interval)),
      max_record_bytes_(limits.max_record_bytes),
      snapshot_(std::move(snapshot)),
      clock_(std::move(clock)) {
  if (limits.metrics != nullptr) {
    auto& family = prometheus::BuildCounter()
                       .Name("vitals_scorer_state_records_trimmed_total")
                       .Help(
                           "Job state records that dropped their oldest history points or "
                           "migrations to fit the state producer's message.max.bytes.")
                       .Register(*limits.metrics);
    trimmed_history_ = &family.Add({{"trimmed", "history"}});
    trimmed_migrations_ = &family.Add({{"trimmed", "migrations"}});
  }
}

void StateWriter::MarkChanged(const std::string& key) {
  absl::MutexLock lock(&mu_);
  entries_[key].changed = true;
}

absl::Status StateWriter::WriteLocked(const std::string& key, OwnedState owned, int64_t now_ms) {
  owned.state.set_written_at_ms(now_ms);
  if (max_record_bytes_ > 0) {
    // What does not fit even then goes to the sink all the same: Kafka's
    // refusal is counted and logged there, like any failed write.
    const FitOutcome fit =
        FitRecord(owned.state, max_record_bytes_ > key.size() ? max_record_bytes_ - key.size() : 0);
    if (fit.history_dropped > 0 || fit.migrations_dropped > 0) {
      ++trimmed_;
      if (fit.history_dropped > 0 && trimmed_history_ != nullptr) trimmed_history_->Increment();
      if (fit.migrations_dropped > 0 && trimmed_migrations_ != nullptr) {
        trimmed_migrations_->Increment();
      }
      trimmed_log_.Report({{"job", key},
                           {"history_points_dropped", std::to_string(fit.history_dropped)},
                           {"migrations_dropped", std::to_string(fit.migrations_dropped)},
                           {"fits", fit.fits ? "true" : "false"},
                           {"max_record_bytes", std::to_string(max_record_bytes_)}});
    }
  }
  const std::string value = owned.state.SerializeAsString();
  absl::Status s = sink_->Write(owned.partition, key, value);
  if (!s.ok()) {
    ++refused_;
    return s;
  }
  ++written_;
  Entry& entry = entries_[key];
  entry.changed = false;
  entry.published = true;
  entry.published_at_ms = now_ms;
  return absl::OkStatus();
}

absl::Status StateWriter::PublishNow(const std::string& key) {
  absl::MutexLock lock(&mu_);
  std::optional<OwnedState> owned = snapshot_(key);
  if (!owned) {
    entries_.erase(key);
    return absl::NotFoundError(absl::StrCat("job ", key, " is not owned by this replica"));
  }
  absl::Status s = WriteLocked(key, std::move(*owned), clock_());
  // Not written: the next PublishDue tries again.
  if (!s.ok()) entries_[key].changed = true;
  return s;
}

size_t StateWriter::PublishChangedLocked(bool only_due) {
  const int64_t now_ms = clock_();
  size_t written = 0;
  absl::Status first_error;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& entry = it->second;
    if (!entry.changed ||
        (only_due && entry.published && now_ms - entry.published_at_ms < min_interval_ms_)) {
      ++it;
      continue;
    }
    std::optional<OwnedState> owned = snapshot_(it->first);
    if (!owned) {
      it = entries_.erase(it);
      continue;
    }
    absl::Status s = WriteLocked(it->first, std::move(*owned), now_ms);
    if (s.ok()) {
      ++written;
    } else if (first_error.ok()) {
      first_error = s;
    }
    ++it;
  }
  if (!first_error.ok()) refused_log_.Report({{"error", std::string(first_error.message())}});
  return written;
}

size_t StateWriter::PublishDue() {
  absl::MutexLock lock(&mu_);
  return PublishChangedLocked(/*only_due=*/true);
}

size_t StateWriter::PublishAllChanged() {
  absl::MutexLock lock(&mu_);
  return PublishChangedLocked(/*only_due=*/false);
}

absl::Status StateWriter::Release(const std::string& key, const OwnedState& state) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return absl::OkStatus();
  absl::Status s;
  if (it->second.changed) s = WriteLocked(key, state, clock_());
  entries_.erase(key);
  return s;
}

absl::Status StateWriter::Tombstone(const std::string& key, int32_t partition) {
  absl::MutexLock lock(&mu_);
  entries_.erase(key);
  absl::Status s = sink_->Write(partition, key, std::nullopt);
  if (s.ok()) {
    ++written_;
  } else {
    ++refused_;
  }
  return s;
}

uint64_t StateWriter::written() const {
  absl::MutexLock lock(&mu_);
  return written_;
}

uint64_t StateWriter::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

uint64_t StateWriter::trimmed() const {
  absl::MutexLock lock(&mu_);
  return trimmed_;
}

}  // namespace vitals::scorer
