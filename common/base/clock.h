#pragma once

// Time as the gateway's intervals and the scorer's evaluations count it:
// epoch milliseconds. Components take a Clock (WallClockMs in production)
// so that tests run them on a clock of their own.

#include <cstdint>
#include <functional>

#include "absl/time/clock.h"

namespace vitals {

// Epoch milliseconds.
using Clock = std::function<int64_t()>;

inline int64_t WallClockMs() { return absl::ToUnixMillis(absl::Now()); }

}  // namespace vitals
