#include "scorer/waves/wave_plan.h"

#include <algorithm>
#include <string_view>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/byte_size.h"
#include "scorer/job_key.h"

namespace vitals::scorer {
namespace {

bool TopologyKnown(const v1::JobTopology& t) { return t.operators() > 0 || t.tasks() > 0; }

std::string Shape(const v1::JobTopology& t) {
  if (!TopologyKnown(t)) return "topology unknown (no task or operator metrics yet)";
  std::string out = absl::StrCat(t.operators(), " operators in ", t.tasks(),
                                 " tasks, parallelism up to ", t.max_parallelism(), ", ");
  absl::StrAppend(&out, t.has_checkpointed_bytes()
                            ? absl::StrCat(ByteSize(t.checkpointed_bytes()), " checkpointed")
                            : std::string("no completed checkpoint reported"));
  return out;
}

// Sorts before: less critical, then simpler.
auto OrderKey(const v1::WavePlanJob& j) {
  const v1::JobTopology& t = j.topology();
  return std::make_tuple(j.criticality(), !TopologyKnown(t), t.operators(), t.max_parallelism(),
                         !t.has_checkpointed_bytes(), t.checkpointed_bytes(),
                         std::string_view(j.job_name()));
}

}  // namespace

bool SelectorMatches(const v1::WaveSelector& selector, const v1::HealthReport& report) {
  return (selector.cluster().empty() || report.cluster() == selector.cluster()) &&
         (selector.tenant().empty() || report.tenant() == selector.tenant()) &&
         absl::StartsWith(report.job_name(), selector.prefix()) &&
         std::all_of(selector.labels().begin(), selector.labels().end(), [&](const auto& l) {
           auto it = report.job_labels().find(l.first);
           return it != report.job_labels().end() && it->second == l.second;
         });
}

v1::WavePlan PlanWaves(const std::vector<v1::HealthReport>& reports, const WavePlanQuery& query) {
  v1::WavePlan plan;
  plan.set_criticality_label(query.criticality_label);
  std::vector<v1::WavePlanJob> planned;
  for (const v1::HealthReport& r : reports) {
    if (!SelectorMatches(query.selector, r)) continue;
    v1::WavePlanJob job;
    job.set_job_name(JobKey(r.tenant(), r.job_name()));
    job.set_cluster(r.cluster());
    *job.mutable_topology() = r.topology();
    job.set_score(r.score());
    job.set_grade(r.grade());
    job.set_state(r.state());
    job.set_criticality(kDefaultCriticality);
    std::string criticality = absl::StrCat("criticality ", kDefaultCriticality, " (no ",
                                           query.criticality_label, " label: Flink's default)");
    auto label = r.job_labels().find(query.criticality_label);
    if (label != r.job_labels().end()) {
      int64_t value = 0;
      if (!absl::SimpleAtoi(label->second, &value)) {
        job.add_reasons(absl::StrCat(query.criticality_label, "=", label->second,
                                     " is not a number: its place is unknown"));
        *plan.add_held_back() = std::move(job);
        continue;
      }
      job.set_criticality(value);
      criticality = absl::StrCat("criticality ", value, " (", query.criticality_label, ")");
    }
    if (r.state() != "running") {
      job.add_reasons(absl::StrCat("not running (", r.state(), "): move it once it runs"));
      *plan.add_held_back() = std::move(job);
    } else if (r.grade() == "critical" || r.grade() == "unknown") {
      job.add_reasons(absl::StrCat("graded ", r.grade(),
                                   " before the move: its verdict after it would have no "
                                   "healthy baseline to compare"));
      *plan.add_held_back() = std::move(job);
    } else {
      job.add_reasons(absl::StrCat(criticality, "; ", Shape(r.topology())));
      planned.push_back(std::move(job));
    }
  }
  std::sort(planned.begin(), planned.end(),
            [](const auto& a, const auto& b) { return OrderKey(a) < OrderKey(b); });
  for (size_t i = 0; i < planned.size(); ++i) {
    if (query.wave_size > 0) planned[i].set_wave(static_cast<uint32_t>(i / query.wave_size + 1));
    *plan.add_jobs() = std::move(planned[i]);
  }
  std::sort(plan.mutable_held_back()->begin(), plan.mutable_held_back()->end(),
            [](const auto& a, const auto& b) { return a.job_name() < b.job_name(); });
  return plan;
}

}  // namespace vitals::scorer
