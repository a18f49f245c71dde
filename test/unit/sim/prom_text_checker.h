#pragma once

// Test-only: a strict line checker for the Prometheus text that Flink's
// reporters write, to read the simulator's output back. Not a general
// parser: it demands exactly Flink's shape (`# HELP` then `# TYPE` per
// family, every family once, samples of that family only, each series
// once, a trailing comma after every label, no timestamps) and reports the
// first deviation.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vitals::sim::testing {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string value_text;
  double value = 0;

  // The value of label `name`, or "" when absent.
  std::string Label(std::string_view name) const;
};

struct PromFamily {
  std::string name;
  std::string help;
  std::string type;
  std::vector<PromSample> samples;
};

absl::StatusOr<std::vector<PromFamily>> CheckPromText(std::string_view text);

}  // namespace vitals::sim::testing
