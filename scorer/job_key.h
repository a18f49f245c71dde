#pragma once

// A job's stable identity, the Kafka key of all three topics: the job name,
// qualified as `<tenant>/<job_name>` when a tenant is configured. The job
// id, hosts and TaskManagers change on every redeploy; this does not.

#include <string>

#include "absl/strings/str_cat.h"

namespace vitals::scorer {

inline std::string JobKey(const std::string& tenant, const std::string& job_name) {
  return tenant.empty() ? job_name : absl::StrCat(tenant, "/", job_name);
}

}  // namespace vitals::scorer
