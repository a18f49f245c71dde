#include "sim/driver/reporter_kind.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::sim {
namespace {

constexpr std::array<std::pair<std::string_view, ReporterKind>, 4> kNames = {{
    {"pushgateway", ReporterKind::kPushgateway},
    {"statsd", ReporterKind::kStatsd},
    {"influx", ReporterKind::kInflux},
    {"prometheus", ReporterKind::kPrometheus},
}};

}  // namespace

absl::StatusOr<ReporterKind> ParseReporterKind(std::string_view name) {
  for (const auto& [n, kind] : kNames) {
    if (n == name) return kind;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown reporter \"", AsAbsl(name),
                                                 "\": pushgateway, statsd, influx or prometheus"));
}

std::string_view ReporterKindName(ReporterKind kind) {
  for (const auto& [n, k] : kNames) {
    if (k == kind) return n;
  }
  return "?";
}

}  // namespace vitals::sim
