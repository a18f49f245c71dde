#pragma once

// Where the state writer puts records: the state topic, or a fake in tests.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace vitals::scorer {

class StateSink {
 public:
  virtual ~StateSink() = default;
  // Enqueues one record for `partition`; a nullopt value is a tombstone.
  // Must not block; ResourceExhausted when the local queue is full.
  virtual absl::Status Write(int32_t partition, std::string_view key,
                             std::optional<std::string_view> value) = 0;
};

}  // namespace vitals::scorer
