#include "test/unit/gateway/receivers/promtext/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace vitals::gateway::testing {

ScopedAllocationCounter::ScopedAllocationCounter() {
  g_allocations = 0;
  g_counting = true;
}
ScopedAllocationCounter::~ScopedAllocationCounter() { g_counting = false; }
size_t ScopedAllocationCounter::count() const { return g_allocations.load(); }

}  // namespace vitals::gateway::testing
