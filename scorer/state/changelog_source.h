#pragma once

// Reading back a compacted changelog: the records of some partitions from
// their beginning up to where they ended when the read began.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vitals::scorer {

struct ChangelogRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  // nullopt: a tombstone.
  std::optional<std::string_view> value;
};

class ChangelogSource {
 public:
  // The record's views are valid during the call only.
  using Visitor = std::function<void(const ChangelogRecord&)>;

  virtual ~ChangelogSource() = default;
  // Hands every record of `partitions` of `topic` to `visit`, in offset
  // order per partition, up to each partition's high watermark at the time
  // of the call. DeadlineExceeded when not done by `deadline`: the records
  // read until then were handed over.
  virtual absl::Status ReadToEnd(const std::string& topic, const std::vector<int32_t>& partitions,
                                 absl::Time deadline, const Visitor& visit) = 0;
};

}  // namespace vitals::scorer
