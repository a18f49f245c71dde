#include "scorer/dimensions/text.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace vitals::scorer {
namespace {

// One decimal below 10, none above: "1.5", "12". (Hand-rolled: this runs
// a few dozen times per evaluation, and StrFormat is the slow part of it.)
std::string Short(double v) {
  if (std::fabs(v) < 10) {
    const auto tenths = static_cast<int64_t>(std::llround(v * 10));
    if (tenths % 10 != 0) {
      return absl::StrCat(tenths < 0 ? "-" : "", std::llabs(tenths) / 10, ".",
                          std::llabs(tenths) % 10);
    }
    return absl::StrCat(tenths / 10);
  }
  if (std::fabs(v) >= 9.2e18) return v < 0 ? "-huge" : "huge";
  return absl::StrCat(std::llround(v));
}

}  // namespace

std::string Duration(double ms) {
  if (std::isnan(ms)) return "unknown";
  if (std::isinf(ms)) return "forever";
  if (ms < 0) ms = 0;
  if (ms < 1000) return absl::StrCat(Short(ms), " ms");
  const double s = ms / 1000;
  if (s < 90) return absl::StrCat(Short(s), " s");
  const double min = s / 60;
  if (min < 90) return absl::StrCat(Short(min), " min");
  return absl::StrCat(Short(min / 60), " h");
}

std::string Ago(double ms) {
  if (!std::isnan(ms) && ms < 1000) return "just now";
  return absl::StrCat(Duration(ms), " ago");
}

std::string Percent(double ratio) {
  if (std::isnan(ratio)) return "unknown";
  const double pct = ratio * 100;
  if (pct != 0 && std::fabs(pct) < 1) return absl::StrCat(Short(pct), "%");
  return absl::StrCat(std::llround(pct), "%");
}

std::string Quantity(double value) {
  if (std::isnan(value)) return "unknown";
  const double a = std::fabs(value);
  if (a < 1000) return Short(value);
  if (a < 1e6) return absl::StrCat(Short(value / 1e3), "k");
  if (a < 1e9) return absl::StrCat(Short(value / 1e6), "M");
  return absl::StrCat(Short(value / 1e9), "G");
}

std::string SharingNote(const ProcessSharing& sharing) {
  if (sharing.shared_processes == 0) return "";
  return absl::StrCat("; shared by ", sharing.max_jobs_per_process, " jobs (",
                      sharing.shared_processes, " of ", sharing.processes,
                      sharing.processes == 1 ? " process runs" : " processes run",
                      " other jobs too: session cluster)");
}

}  // namespace vitals::scorer
