#pragma once

// A cluster name is an identity: the `cluster` of a job's batches and
// series, which a migration's `from` and `to` must match exactly. Wherever a
// cluster name comes in from outside the gateway's own config — a pushed
// `cluster` grouping label, a scrape target's `cluster` label, a migration
// posted to the scorer — it is checked by this one rule: 1 to 128 bytes of
// the label-value characters (`[a-zA-Z0-9_]`, prom_chars.h) and `-` and `.`,
// because clusters are named the DNS way (`k8s-prod-eu`) and the gateway
// writes its configured cluster as it is. A bad name is refused, never
// filtered: `k8s_prod_eu` would be another cluster than `k8s-prod-eu`.
// Header-only, so that the pure parsers may use it.

#include <cstddef>
#include <string_view>

#include "common/base/prom_chars.h"

namespace vitals {

inline constexpr size_t kMaxClusterNameBytes = 128;

inline bool IsClusterNameChar(char c) { return IsLabelValueChar(c) || c == '-' || c == '.'; }

// Why `name` is not a cluster name ("empty", "longer than 128 bytes", "a
// cluster name has only …"), to follow "<what>: "; empty when it is one.
inline std::string_view ClusterNameProblem(std::string_view name) {
  static_assert(kMaxClusterNameBytes == 128, "the message below names the bound");
  if (name.empty()) return "empty";
  if (name.size() > kMaxClusterNameBytes) return "longer than 128 bytes";
  for (char c : name) {
    if (!IsClusterNameChar(c)) return "a cluster name has only letters, digits, '_', '-' and '.'";
  }
  return {};
}

}  // namespace vitals
