#pragma once

// The grouping key of a Pushgateway push, decoded from the URL path the way
// github.com/prometheus/pushgateway does it (see README.md beside this file
// for every rule and the few places where we are stricter).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vitals::gateway {

struct GroupingKey {
  std::string job;  // never empty
  // Sorted by name, names unique; `job` is never among them.
  std::vector<std::pair<std::string, std::string>> labels;

  // `{job="x",instance="tm1"}` with values escaped as in the Prometheus text
  // format: equal keys give equal strings and different keys different ones,
  // so it can key a map of groups.
  std::string Canonical() const;

  friend bool operator==(const GroupingKey&, const GroupingKey&) = default;
};

// Decodes the path after `/metrics/` (no query string), for example
// `job/myjob/instance/tm1` or `job@base64/bXlqb2I/path@base64/L3Zhci90bXA`.
// Every error is InvalidArgument with a reason fit for the HTTP response.
// At most `max_labels` grouping labels, the bound a body's samples have
// (PromTextLimits::max_labels): the key's labels go on every sample.
absl::StatusOr<GroupingKey> ParsePushgatewayPath(std::string_view path, size_t max_labels);

}  // namespace vitals::gateway
