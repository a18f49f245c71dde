#pragma once

// Reads the JSON of a Pushgateway's `GET /api/v1/metrics` (the real one's
// or the gateway's) into a form two of them can be compared in: per group
// (its grouping labels), the type of each family and every sample, named
// and labelled as the text exposition would show it (`x_bucket{le=…}`,
// `x_sum`, …), with numbers normalised so that `1.0` and `1` agree.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::testing {

struct PushGroupView {
  std::map<std::string, std::string> family_types;  // family → COUNTER, GAUGE, …
  std::map<std::string, std::string> samples;       // `name{a="1",…}` → value
};

// Keyed by the group's grouping labels, `{instance="tm1",job="x"}`. The
// Pushgateway's own push_time_seconds and push_failure_time_seconds are
// left out.
using PushGroupsView = std::map<std::string, PushGroupView>;

absl::StatusOr<PushGroupsView> ParsePushGroups(std::string_view json);

// OpenMetrics counters: the real Pushgateway reads an OpenMetrics body as
// text 0.0.4, where `x_total` is an untyped family of its own, while the
// gateway knows it as counter `x`. Dropping `_total` from sample names and
// forgetting types makes the two comparable for such groups.
PushGroupView WithoutCounterSuffixes(const PushGroupView& group);

// Human-readable differences (at most `max_lines`); empty when equal.
std::string DiffPushGroups(const PushGroupsView& expected, const PushGroupsView& actual,
                           size_t max_lines = 40);

}  // namespace vitals::testing
