#include "common/version/version.h"

#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "vitals_revision.h"

namespace vitals {

std::string_view BuildVersion() { return VITALS_VERSION; }

std::string_view BuildRevision() { return VITALS_REVISION; }

std::string VersionLine() {
  return "vitals " + std::string(BuildVersion()) + " (" + std::string(BuildRevision()) + ")";
}

void AddBuildInfo(prometheus::Registry& registry) {
  prometheus::BuildGauge()
      .Name("vitals_build_info")
      .Help("Always 1; its labels name the version and git revision of the running binary.")
      .Register(registry)
      .Add({{"version", std::string(BuildVersion())}, {"revision", std::string(BuildRevision())}})
      .Set(1);
}

}  // namespace vitals
