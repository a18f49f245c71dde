#include "cmd/wave_table.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace vitals::cmd {
namespace {

const char* Colour(const std::string& verdict) {
  if (verdict == "rollback") return "\x1b[31m";                      // red
  if (verdict == "keep" || verdict == "proceed") return "\x1b[32m";  // green
  if (verdict == "rolled_back") return "\x1b[36m";                   // cyan
  return "\x1b[33m";                                                 // yellow
}

std::string Painted(const std::string& text, const std::string& verdict, bool ansi, int width) {
  std::string cell = absl::StrFormat("%-*s", width, text);
  return ansi ? absl::StrCat(Colour(verdict), cell, "\x1b[0m") : cell;
}

}  // namespace

std::string RenderWaveTable(const v1::WaveStatus& status, bool ansi) {
  const v1::Wave& wave = status.wave();
  const std::string at = absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::FromUnixMillis(wave.at()),
                                          absl::UTCTimeZone());
  std::string out = absl::StrCat("wave ", wave.name(), ": ", wave.from(), " -> ", wave.to(), " at ",
                                 at, ", ", wave.jobs_size(), " jobs\n");
  absl::StrAppend(
      &out,
      "verdict: ", Painted(absl::AsciiStrToUpper(status.verdict()), status.verdict(), ansi, 0),
      status.reasons().empty() ? "" : " — ", absl::StrJoin(status.reasons(), "; "), "\n\n");
  absl::StrAppend(&out, absl::StrFormat("%-24s %-17s %6s %6s  %s\n", "JOB", "VERDICT", "BEFORE",
                                        "AFTER", "REASON"));
  for (const v1::WaveJob& j : status.jobs()) {
    const std::string before = j.detail().baseline_intervals() > 0
                                   ? absl::StrFormat("%.1f", j.detail().baseline_score())
                                   : "-";
    const std::string after = j.detail().current_intervals() > 0
                                  ? absl::StrFormat("%.1f", j.detail().current_score())
                                  : "-";
    std::string reason = j.reasons().empty() ? "" : j.reasons(0);
    if (reason.size() > 90) reason = reason.substr(0, 87) + "...";
    absl::StrAppend(
        &out, absl::StrFormat("%-24s %s %6s %6s  %s\n", j.job_name(),
                              Painted(j.verdict(), j.verdict(), ansi, 17), before, after, reason));
  }
  return out;
}

}  // namespace vitals::cmd
