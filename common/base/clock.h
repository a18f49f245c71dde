#pragma once

// The wall clock in epoch milliseconds, as the gateway's intervals and the
// scorer's evaluations count time. Components take it as an injected
// `std::function<int64_t()>` so that tests run them on a clock of their own.

#include <cstdint>

#include "absl/time/clock.h"

namespace vitals {

inline int64_t WallClockMs() { return absl::ToUnixMillis(absl::Now()); }

}  // namespace vitals
