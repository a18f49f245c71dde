#pragma once

// Just enough JSON to read the conformance suites' data files. Test-only:
// the project has no JSON dependency and should not grow one to read test
// data. Numbers keep the text they were written as, so 64-bit integers
// survive exactly; objects keep their members in document order.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vitals::testing {

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  struct Member;

  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;            // kNumber
  std::string text;             // kString: the value; kNumber: as written
  std::vector<Json> items;      // kArray
  std::vector<Member> members;  // kObject, in document order

  // The first member named `key`, or nullptr (also for non-objects).
  const Json* Find(std::string_view key) const;
  // The member's string, or `fallback` when absent or not a string.
  std::string StringOr(std::string_view key, std::string fallback = "") const;

  // InvalidArgument naming the problem and its offset on bad syntax.
  static absl::StatusOr<Json> Parse(std::string_view text);
};

// Declared apart so that Json is complete where the pair needs it.
struct Json::Member {
  std::string name;
  Json value;
};

// Reads and parses a whole file.
absl::StatusOr<Json> ReadJsonFile(const std::string& path);

}  // namespace vitals::testing
