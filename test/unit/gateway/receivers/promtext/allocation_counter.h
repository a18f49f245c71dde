#pragma once

// Counts global operator new calls while a ScopedAllocationCounter lives, to
// hold code to "no heap allocation" claims. Linking allocation_counter.cc
// replaces the test binary's global operator new/delete.

#include <cstddef>

namespace vitals::gateway::testing {

class ScopedAllocationCounter {
 public:
  ScopedAllocationCounter();
  ~ScopedAllocationCounter();
  ScopedAllocationCounter(const ScopedAllocationCounter&) = delete;
  ScopedAllocationCounter& operator=(const ScopedAllocationCounter&) = delete;

  size_t count() const;
};

}  // namespace vitals::gateway::testing
