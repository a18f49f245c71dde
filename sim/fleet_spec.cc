#include "sim/fleet_spec.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/strings.h"

namespace vitals::sim {
namespace {

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(AsAbsl(field), ": ", AsAbsl(why)));
}

absl::Status CheckRange(std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return Bad(field, absl::StrFormat("%d is out of range [%d, %d]", value, min, max));
  }
  return absl::OkStatus();
}

bool IsLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Names end up in pod names, URLs and scope identifiers: keep them tame.
bool IsNamePart(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view TeamOf(const FleetSpec& spec, int job_index) {
  if (spec.teams.empty()) return {};
  return spec.teams[static_cast<size_t>(job_index) % spec.teams.size()];
}

absl::StatusOr<ClusterKind> ClusterKindOf(std::string_view cluster) {
  if (cluster.size() > 4 && cluster.substr(0, 4) == "k8s-") return ClusterKind::kKubernetes;
  if (cluster.size() > 5 && cluster.substr(0, 5) == "yarn-") return ClusterKind::kYarn;
  return absl::InvalidArgumentError(
      absl::StrCat("cluster \"", AsAbsl(cluster), "\" must start with k8s- or yarn-"));
}

absl::Status FleetSpec::Validate() const {
  if (auto s = CheckRange("jobs", jobs, 1, 100'000); !s.ok()) return s;
  if (auto s = CheckRange("session_jobs", session_jobs, 1, 1'000); !s.ok()) return s;
  if (auto s = CheckRange("nodes", nodes, 1, 10'000); !s.ok()) return s;
  if (auto s = CheckRange("task_managers", task_managers, 1, 1'000); !s.ok()) return s;
  if (auto s = CheckRange("parallelism", parallelism, 1, 4'096); !s.ok()) return s;
  if (auto s = CheckRange("operators", operators, 1, 64); !s.ok()) return s;
  if (auto s = CheckRange("chain_length", chain_length, 1, 64); !s.ok()) return s;
  if (!IsNamePart(job_name_prefix)) {
    return Bad("job_name_prefix", "must be non-empty [A-Za-z0-9_-]");
  }
  if (!IsNamePart(node_prefix)) return Bad("node_prefix", "must be non-empty [A-Za-z0-9_-]");
  if (clusters.empty()) return Bad("clusters", "needs at least one cluster");
  for (size_t i = 0; i < clusters.size(); ++i) {
    std::string field = absl::StrCat("clusters[", i, "]");
    if (!IsNamePart(clusters[i])) return Bad(field, "must be non-empty [A-Za-z0-9_-]");
    if (auto kind = ClusterKindOf(clusters[i]); !kind.ok()) {
      auto why = kind.status().message();
      return Bad(field, std::string_view(why.data(), why.size()));
    }
  }
  if (auto s = CheckRange("checkpoint_interval_ms", checkpoint_interval_ms, 100, 86'400'000);
      !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("restart_interval_ms", restart_interval_ms, 100, 86'400'000); !s.ok()) {
    return s;
  }
  if (auto s = CheckRange("restart_duration_ms", restart_duration_ms, 1, restart_interval_ms - 1);
      !s.ok()) {
    return Bad("restart_duration_ms", "must be >= 1 and shorter than restart_interval_ms");
  }
  for (const auto& [field, value] :
       {std::pair<std::string_view, int64_t>{"cancel_duration_ms", cancel_duration_ms},
        {"fail_duration_ms", fail_duration_ms},
        {"terminal_linger_ms", terminal_linger_ms}}) {
    if (auto s = CheckRange(field, value, 0, 86'400'000); !s.ok()) return s;
  }
  if (!(records_per_second > 0 && records_per_second <= 1e9)) {
    return Bad("records_per_second", "must be in (0, 1e9]");
  }
  if (reporter.statsd_max_datagram_bytes != 0) {
    if (auto s = CheckRange("reporter.statsd_max_datagram_bytes",
                            reporter.statsd_max_datagram_bytes, 64, 65'507);
        !s.ok()) {
      return Bad("reporter.statsd_max_datagram_bytes", "must be 0 or in [64, 65507]");
    }
  }
  for (size_t i = 0; i < reporter.grouping_key.size(); ++i) {
    if (!IsLabelName(reporter.grouping_key[i].first)) {
      return Bad(absl::StrCat("reporter.grouping_key[", i, "]"),
                 "label name must match [a-zA-Z_][a-zA-Z0-9_]*");
    }
    if (reporter.grouping_key[i].first == "job") {
      return Bad(absl::StrCat("reporter.grouping_key[", i, "]"), "\"job\" is the job name");
    }
  }
  if (!reporter.cluster_grouping_label.empty() && !IsLabelName(reporter.cluster_grouping_label)) {
    return Bad("reporter.cluster_grouping_label", "must match [a-zA-Z_][a-zA-Z0-9_]*");
  }
  if (reporter.influx_db.empty()) return Bad("reporter.influx_db", "must not be empty");
  return absl::OkStatus();
}

}  // namespace vitals::sim
