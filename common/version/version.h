#pragma once

// Which build this is: the project() VERSION and the git revision it was
// built from (cmake/Version.cmake writes the revision), for `vitals --version` and the
// vitals_build_info self-metric of the gateway and the scorer.

#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace vitals {

// "0.1.0".
std::string_view BuildVersion();

// The short commit hash, or "unknown" when not built from a git checkout.
std::string_view BuildRevision();

// "vitals 0.1.0 (bad2eef)".
std::string VersionLine();

// Registers vitals_build_info{version, revision} 1: a constant to join on or
// count by, so a dashboard can tell which build each process runs.
void AddBuildInfo(prometheus::Registry& registry);

}  // namespace vitals
