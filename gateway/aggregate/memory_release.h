#pragma once

// Handing freed memory back to the system: the gateway does so after every
// interval's close (the closed interval's messages, and whatever expired
// series held).
//
// glibc keeps what a process frees for reuse, and tunes itself to keep
// more: after a large block is freed, its mmap threshold rises to that
// block's size (up to 32 MiB) and its trim threshold to twice that, so each
// arena may keep up to 64 MiB free at its top for good, and free pages
// inside an arena stay resident until malloc_trim. With both calls below,
// test/integration/fair_caps measures RSS back within a few percent of its
// baseline once a 135,000-series flood has expired (deploy/README.md,
// "Memory").

namespace vitals::gateway {

// Pins glibc's mmap threshold (1 MiB: larger blocks are mapped on their own
// and unmapped when freed) and trim threshold (128 KiB, glibc's initial
// value), which stops their growth. Once per process; later calls do
// nothing. No-op off glibc.
void FixMallocThresholds();

// Returns every free page of every arena to the system (malloc_trim).
// False off glibc, where it does nothing.
bool ReleaseFreeMemory();

}  // namespace vitals::gateway
