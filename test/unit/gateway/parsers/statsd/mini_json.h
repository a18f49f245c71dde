#pragma once

// Just enough JSON to read the conformance suites' test data (RFC 8259
// values; numbers as double). Test-only: the project has no JSON
// dependency and should not grow one for this.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace vitals::testing {

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;                            // kArray
  std::vector<std::pair<std::string, Json>> members;  // kObject, in document order

  // The member named `key`, or nullptr (also for non-objects).
  const Json* Find(std::string_view key) const;
  // The member's string, or `fallback` when absent or not a string.
  std::string StringOr(std::string_view key, std::string fallback = "") const;

  static absl::StatusOr<Json> Parse(std::string_view text);
};

// Reads and parses a whole file.
absl::StatusOr<Json> ReadJsonFile(const std::string& path);

}  // namespace vitals::testing
