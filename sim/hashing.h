#pragma once

// Deterministic pseudo-randomness for the simulator: every id and every
// noisy value is a pure function of the fleet seed and a few integers
// (job, generation, series, second), so a run replays exactly and no
// generator state has to be threaded through the model.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vitals::sim {

// splitmix64's finalizer: a bijective, well-mixed 64-bit hash step.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline uint64_t HashOf(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x51ed270b27a4f3c1ULL;
  for (uint64_t part : parts) h = Mix(h ^ part);
  return h;
}

// FNV-1a, for folding names into hash keys.
inline uint64_t HashText(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Uniform in [0, 1).
inline double Unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Uniform in [-1, 1).
inline double Noise(uint64_t h) { return Unit(h) * 2.0 - 1.0; }

// 32 lower-case hex digits, the shape of Flink's AbstractID (JobID,
// JobVertexID, OperatorID, ExecutionAttemptID) and of the Pushgateway
// reporter's random job name suffix.
inline std::string HexId(uint64_t h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id(32, '0');
  uint64_t hi = Mix(h);
  uint64_t lo = Mix(hi ^ h);
  for (int i = 0; i < 16; ++i) {
    id[i] = kDigits[(hi >> (60 - 4 * i)) & 0xf];
    id[16 + i] = kDigits[(lo >> (60 - 4 * i)) & 0xf];
  }
  return id;
}

}  // namespace vitals::sim
