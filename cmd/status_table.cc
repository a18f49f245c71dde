#include "cmd/status_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vitals::cmd {
namespace {

const v1::DimensionScore* Worst(const v1::HealthReport& report) {
  const v1::DimensionScore* worst = nullptr;
  for (const v1::DimensionScore& d : report.dimensions()) {
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    if (worst == nullptr || d.score() < worst->score()) worst = &d;
  }
  return worst;
}

const char* Colour(double score) {
  if (score <= 4) return "\x1b[31m";  // red
  if (score < 8) return "\x1b[33m";   // yellow
  return "\x1b[32m";                  // green
}

}  // namespace

std::string RenderStatusTable(const std::vector<v1::HealthReport>& reports, bool ansi) {
  std::vector<const v1::HealthReport*> sorted;
  for (const auto& r : reports) sorted.push_back(&r);
  // Worst first; jobs without a score (ended, no data yet) last.
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    const bool a_nan = std::isnan(a->score()), b_nan = std::isnan(b->score());
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a->score() != b->score()) return a->score() < b->score();
    return a->job_name() < b->job_name();
  });
  std::string out = absl::StrFormat("%-24s %-14s %-13s %6s  %-10s %-17s %s\n", "JOB", "CLUSTER",
                                    "STATE", "SCORE", "GRADE", "WORST", "DIAGNOSIS");
  for (const v1::HealthReport* r : sorted) {
    const v1::DimensionScore* worst = Worst(*r);
    std::string worst_text =
        worst == nullptr ? "-" : absl::StrFormat("%s %.1f", worst->dimension(), worst->score());
    std::string diagnosis = r->diagnosis();
    if (diagnosis.size() > 70) diagnosis = diagnosis.substr(0, 67) + "...";
    std::string score =
        std::isnan(r->score()) ? absl::StrFormat("%6s", "-") : absl::StrFormat("%6.1f", r->score());
    if (ansi && !std::isnan(r->score())) {
      score = absl::StrCat(Colour(r->score()), score, "\x1b[0m");
    }
    absl::StrAppend(&out, absl::StrFormat("%-24s %-14s %-13s %s  %-10s %-17s %s\n", r->job_name(),
                                          r->cluster(), r->state().empty() ? "-" : r->state(),
                                          score, r->grade(), worst_text, diagnosis));
  }
  if (sorted.empty()) out += "(no scores yet: the first interval closes within a minute)\n";
  return out;
}

}  // namespace vitals::cmd
