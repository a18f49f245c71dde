#pragma once

// A job's stable identity, the Kafka key of all three topics: the job name,
// qualified as `<tenant>/<job_name>` when a tenant is configured. The job
// id, hosts and TaskManagers change on every redeploy; this does not.

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::scorer {

inline std::string JobKey(std::string_view tenant, std::string_view job_name) {
  return tenant.empty() ? std::string(job_name)
                        : absl::StrCat(AsAbsl(tenant), "/", AsAbsl(job_name));
}

}  // namespace vitals::scorer
