#include "sim/fault.h"

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::sim {

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kBackpressure:
      return "backpressure";
    case FaultKind::kCheckpointFailure:
      return "checkpoint_failure";
    case FaultKind::kRestarts:
      return "restarts";
    case FaultKind::kGcPressure:
      return "gc_pressure";
    case FaultKind::kCpuSaturation:
      return "cpu_saturation";
    case FaultKind::kSourceLag:
      return "source_lag";
    case FaultKind::kSkew:
      return "skew";
  }
  return "?";
}

absl::StatusOr<FaultKind> ParseFaultKind(std::string_view name) {
  for (FaultKind kind : kAllFaultKinds) {
    if (FaultKindName(kind) == name) return kind;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown fault \"", AsAbsl(name),
      "\" (want backpressure, checkpoint_failure, restarts, gc_pressure, cpu_saturation, "
      "source_lag or skew)"));
}

}  // namespace vitals::sim
