#include "scorer/waves/wave_verdict.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "scorer/model/rollback.h"

namespace vitals::scorer {
namespace {

std::string Describe(const v1::Migration& m) {
  return absl::StrCat(m.from(), " -> ", m.to(), " at ", m.at());
}

// Names for a reason: a long list is cut, the count says how many.
std::string Names(const std::vector<std::string>& names) {
  constexpr size_t kShown = 10;
  if (names.size() <= kShown) return absl::StrJoin(names, ", ");
  return absl::StrCat(absl::StrJoin(names.begin(), names.begin() + kShown, ", "), " and ",
                      names.size() - kShown, " more");
}

}  // namespace

v1::WaveJob JudgeWaveJob(const v1::Wave& wave, const std::string& job,
                         const v1::RollbackVerdict& owner_verdict) {
  v1::WaveJob out;
  out.set_job_name(job);
  *out.mutable_detail() = owner_verdict;
  const v1::Migration& newest = owner_verdict.migration();
  if (newest.at() < wave.at() || newest.at() == 0) {
    out.set_verdict(kVerdictInsufficientData);
    out.add_reasons(absl::StrCat(
        "the wave's migration is not recorded for this job yet",
        newest.at() == 0 ? "" : absl::StrCat(" (its newest is ", Describe(newest), ")")));
    return out;
  }
  if (newest.from() == wave.from() && newest.to() == wave.to()) {
    out.set_verdict(owner_verdict.verdict());
    out.mutable_reasons()->CopyFrom(owner_verdict.reasons());
    return out;
  }
  if (newest.to() == wave.from()) {
    out.set_verdict(kVerdictRolledBack);
    out.add_reasons(
        absl::StrCat("rolled back (", Describe(newest), "): no longer counted against the wave"));
    return out;
  }
  out.set_verdict(kVerdictInsufficientData);
  out.add_reasons(absl::StrCat("moved on since the wave (", Describe(newest),
                               "): neither the wave's move nor a "
                               "rollback"));
  return out;
}

v1::WaveJob UnjudgedWaveJob(const std::string& job, std::string reason) {
  v1::WaveJob out;
  out.set_job_name(job);
  out.set_verdict(kVerdictInsufficientData);
  out.add_reasons(std::move(reason));
  return out;
}

v1::WaveStatus CombineWave(const v1::Wave& wave, std::vector<v1::WaveJob> jobs) {
  v1::WaveStatus status;
  *status.mutable_wave() = wave;
  std::vector<std::string> rollback, unjudged, rolled_back;
  for (const v1::WaveJob& j : jobs) {
    if (j.verdict() == kVerdictRollback) {
      rollback.push_back(j.job_name());
    } else if (j.verdict() == kVerdictRolledBack) {
      rolled_back.push_back(j.job_name());
    } else if (j.verdict() != kVerdictKeep) {
      // insufficient_data, or a verdict this version does not know.
      unjudged.push_back(j.job_name());
    }
  }
  const size_t total = jobs.size();
  for (v1::WaveJob& j : jobs) *status.add_jobs() = std::move(j);
  if (!rollback.empty()) {
    status.set_verdict(kWaveRollback);
    status.add_reasons(absl::StrCat(rollback.size(), " of ", total, " jobs should go back to ",
                                    wave.from(), ": ", Names(rollback)));
    for (std::string& name : rollback) status.add_rollback(std::move(name));
  } else if (!unjudged.empty() || total == 0) {
    status.set_verdict(kWaveHold);
    status.add_reasons(absl::StrCat(unjudged.size(), " of ", total,
                                    " jobs have no verdict yet: ", Names(unjudged)));
  } else {
    status.set_verdict(kWaveProceed);
    status.add_reasons(
        absl::StrCat(total - rolled_back.size(), " of ", total, " jobs keep on ", wave.to()));
  }
  if (!rolled_back.empty()) {
    status.add_reasons(absl::StrCat(rolled_back.size(), " rolled back to ", wave.from(), ": ",
                                    Names(rolled_back)));
  }
  return status;
}

}  // namespace vitals::scorer
