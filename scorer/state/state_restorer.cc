#include "scorer/state/state_restorer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace vitals::scorer {

RestoreOutcome StateRestorer::Restore(const std::vector<int32_t>& partitions) {
  RestoreOutcome outcome;
  if (partitions.empty()) return outcome;
  const std::string names = absl::StrJoin(partitions, ",");
  log::Info("state restore started", {{"topic", topic_}, {"partitions", names}});
  const absl::Time start = absl::Now();
  LatestStates latest;
  outcome.status = source_->ReadToEnd(topic_, partitions, start + timeout_,
                                      [&](const ChangelogRecord& r) { latest.Apply(r); });
  outcome.jobs = latest.Take();
  outcome.records = latest.records();
  outcome.tombstones = latest.tombstones();
  outcome.invalid = latest.invalid();
  outcome.took = absl::Now() - start;
  if (outcome.status.ok()) {
    log::Info("state restored", {{"topic", topic_},
                                 {"partitions", names},
                                 {"jobs", std::to_string(outcome.jobs.size())},
                                 {"records", std::to_string(outcome.records)},
                                 {"tombstones", std::to_string(outcome.tombstones)},
                                 {"invalid", std::to_string(outcome.invalid)},
                                 {"took", absl::FormatDuration(outcome.took)}});
  } else {
    // Going on with what was read beats not scoring the partitions at all;
    // jobs whose state is missing start blank.
    log::Error("state restore incomplete; jobs without a state start blank",
               {{"topic", topic_},
                {"partitions", names},
                {"error", std::string(outcome.status.message())},
                {"jobs", std::to_string(outcome.jobs.size())},
                {"records", std::to_string(outcome.records)},
                {"took", absl::FormatDuration(outcome.took)}});
  }
  return outcome;
}

}  // namespace vitals::scorer
