#include "scorer/model/rollback.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"
#include "scorer/dimensions/band.h"
#include "scorer/dimensions/text.h"

namespace vitals::scorer {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
  return m;
}

double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

std::string Score(double s) { return absl::StrFormat("%.1f", s); }

std::string NotCounted(uint32_t unjudged) {
  if (unjudged == 0) return "";
  return absl::StrCat(" (", unjudged, unjudged == 1 ? " evaluation" : " evaluations",
                      " not counted: warming up or too little data)");
}

// One side of the migration: job scores and per-dimension scores. A flat
// list, not a map: a job has a handful of dimensions and hundreds of
// points, and the verdict is asked for after every evaluation.
struct Side {
  std::vector<double> scores;
  std::vector<std::pair<std::string_view, std::vector<double>>> dimensions;

  void Add(const v1::HistoryPoint& p) {
    scores.push_back(p.score());
    for (const auto& [name, score] : p.dimensions()) {
      auto it = std::find_if(dimensions.begin(), dimensions.end(),
                             [&name = name](const auto& d) { return d.first == name; });
      if (it == dimensions.end()) {
        dimensions.emplace_back(name, std::vector<double>{}).second.reserve(scores.capacity());
        it = dimensions.end() - 1;
      }
      it->second.push_back(score);
    }
  }
  const std::vector<double>* Find(std::string_view name) const {
    for (const auto& [n, v] : dimensions) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

}  // namespace

v1::RollbackVerdict DecideRollback(const std::deque<v1::HistoryPoint>& history,
                                   const v1::Migration& migration, const ScoringConfig& config,
                                   int64_t now_ms) {
  const RollbackConfig& rc = config.rollback;
  v1::RollbackVerdict verdict;
  *verdict.mutable_migration() = migration;

  const int64_t baseline_from = migration.at() - absl::ToInt64Milliseconds(rc.baseline);
  const int64_t current_from = migration.at() + absl::ToInt64Milliseconds(rc.settle);
  Side before, after;
  before.scores.reserve(history.size());
  after.scores.reserve(history.size());
  // Evaluations in a warm-up (the grades from before the restart stood in)
  // or with too little data judged nothing about that side: not counted.
  uint32_t unjudged_before = 0, unjudged_after = 0;
  for (const v1::HistoryPoint& p : history) {
    if (p.cluster() == migration.from() && p.at_ms() < migration.at() &&
        p.at_ms() >= baseline_from) {
      if (p.unjudged()) {
        ++unjudged_before;
      } else {
        before.Add(p);
      }
    } else if (p.cluster() == migration.to() && p.at_ms() >= current_from && p.at_ms() <= now_ms) {
      verdict.set_job_id(p.job_id());
      if (p.unjudged()) {
        ++unjudged_after;
      } else {
        after.Add(p);
      }
    }
  }
  verdict.set_baseline_intervals(static_cast<uint32_t>(before.scores.size()));
  verdict.set_current_intervals(static_cast<uint32_t>(after.scores.size()));
  verdict.set_baseline_score(Mean(before.scores));
  verdict.set_current_score(Mean(after.scores));

  if (before.scores.size() < rc.min_points || after.scores.size() < rc.min_points) {
    verdict.set_verdict(kVerdictInsufficientData);
    if (before.scores.size() < rc.min_points) {
      verdict.add_reasons(absl::StrCat("only ", before.scores.size(), " of ", rc.min_points,
                                       " evaluations needed on ", migration.from(), " in the ",
                                       absl::FormatDuration(rc.baseline), " before the migration",
                                       NotCounted(unjudged_before)));
    }
    if (after.scores.size() < rc.min_points) {
      verdict.add_reasons(absl::StrCat("only ", after.scores.size(), " of ", rc.min_points,
                                       " evaluations needed on ", migration.to(), " from ",
                                       absl::FormatDuration(rc.settle), " after the migration",
                                       NotCounted(unjudged_after)));
    }
    return verdict;
  }

  const double base_median = Median(before.scores);
  const double current_median = Median(after.scores);
  const bool score_dropped = base_median - current_median >= rc.min_drop;
  bool newly_critical = false;

  // By name, for a stable order of reasons and degraded dimensions.
  std::sort(before.dimensions.begin(), before.dimensions.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, base_scores] : before.dimensions) {
    const std::vector<double>* found = after.Find(name);
    if (found == nullptr) {
      verdict.add_reasons(absl::StrCat(AsAbsl(name), ": no data after the migration"));
      continue;
    }
    const std::vector<double>& now_scores = *found;
    const double b = Median(base_scores), c = Median(now_scores);
    const auto critical = std::count_if(now_scores.begin(), now_scores.end(),
                                        [](double s) { return s <= kCriticalScore; });
    const double critical_share = static_cast<double>(critical) / now_scores.size();
    const bool became_critical = b > kCriticalScore && critical_share >= rc.critical_share;
    if (became_critical || b - c >= rc.dimension_drop) {
      verdict.add_degraded_dimensions(std::string(name));
      verdict.add_reasons(absl::StrCat(
          AsAbsl(name), ": ", Score(b), " -> ", Score(c),
          became_critical
              ? absl::StrCat(", critical in ", Percent(critical_share), " of evaluations since")
              : ""));
    }
    newly_critical = newly_critical || became_critical;
  }

  const std::string scores =
      absl::StrCat("median score ", Score(base_median), " on ", migration.from(), " -> ",
                   Score(current_median), " on ", migration.to());
  if (score_dropped || newly_critical) {
    verdict.set_verdict(kVerdictRollback);
    verdict.mutable_reasons()->Add(
        absl::StrCat(scores, score_dropped ? absl::StrCat(" (drop >= ", Score(rc.min_drop), ")")
                                           : " (a dimension turned critical)"));
  } else {
    verdict.set_verdict(kVerdictKeep);
    verdict.mutable_reasons()->Add(absl::StrCat(scores, " (within ", Score(rc.min_drop),
                                                " and no dimension turned critical)"));
  }
  // The headline first.
  auto* reasons = verdict.mutable_reasons();
  std::rotate(reasons->begin(), reasons->end() - 1, reasons->end());
  return verdict;
}

v1::RollbackVerdict DecideRollback(const std::deque<v1::HistoryPoint>& history,
                                   std::span<const v1::Migration> migrations,
                                   const ScoringConfig& config, int64_t now_ms) {
  if (migrations.empty()) {
    v1::RollbackVerdict verdict;
    verdict.set_verdict(kVerdictInsufficientData);
    verdict.add_reasons("no migration recorded for this job");
    return verdict;
  }
  return DecideRollback(history, migrations.back(), config, now_ms);
}

}  // namespace vitals::scorer
