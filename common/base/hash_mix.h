#pragma once

// The 64-bit finalizer of MurmurHash3 (fmix64): every input bit reaches
// every output bit, so both the low bits (a table's control byte) and the
// high bits (its probe start) of a cheaply combined hash are well spread.

#include <cstdint>

namespace vitals {

constexpr uint64_t MixBits(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace vitals
