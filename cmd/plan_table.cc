#include "cmd/plan_table.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/byte_size.h"

namespace vitals::cmd {
namespace {

std::string StateSize(const v1::JobTopology& t) {
  return t.has_checkpointed_bytes() ? ByteSize(t.checkpointed_bytes()) : "-";
}

std::string Count(uint32_t n) { return n == 0 ? "-" : absl::StrCat(n); }

}  // namespace

std::string RenderPlanTable(const v1::WavePlan& plan) {
  std::string out = absl::StrFormat("%-5s %-32s %11s %4s %6s %4s %10s  %s\n", "WAVE", "JOB",
                                    "CRITICALITY", "OPS", "TASKS", "PAR", "STATE", "GRADE");
  for (const v1::WavePlanJob& j : plan.jobs()) {
    const v1::JobTopology& t = j.topology();
    absl::StrAppend(&out,
                    absl::StrFormat("%-5s %-32s %11d %4s %6s %4s %10s  %s\n",
                                    j.wave() == 0 ? "-" : absl::StrCat(j.wave()), j.job_name(),
                                    j.criticality(), Count(t.operators()), Count(t.tasks()),
                                    Count(t.max_parallelism()), StateSize(t), j.grade()));
  }
  if (plan.jobs().empty()) absl::StrAppend(&out, "(no job to move)\n");
  if (!plan.held_back().empty()) {
    absl::StrAppend(&out, "\nheld back (", plan.held_back_size(), "):\n");
    for (const v1::WavePlanJob& j : plan.held_back()) {
      absl::StrAppend(&out, absl::StrFormat("  %-32s %s\n", j.job_name(),
                                            j.reasons().empty() ? "" : j.reasons(0)));
    }
  }
  absl::StrAppend(&out, "\ncriticality: the job label `", plan.criticality_label(),
                  "` (-1 without it); order: least critical, then fewest operators, lowest "
                  "parallelism, least state\n");
  return out;
}

}  // namespace vitals::cmd
