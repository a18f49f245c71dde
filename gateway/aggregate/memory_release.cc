#include "gateway/aggregate/memory_release.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vitals::gateway {

void FixMallocThresholds() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 10);
  });
#endif
}

bool ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
  return true;
#else
  return false;
#endif
}

}  // namespace vitals::gateway
