#pragma once

// What one render produced, for the load generator's samples/s.

#include <cstddef>
#include <vector>

namespace vitals::sim {

struct RenderStats {
  // Requests or datagrams.
  size_t payloads = 0;
  // Values written: Prometheus sample lines, StatsD lines, Influx points.
  size_t samples = 0;
  size_t bytes = 0;
};

// The i-th output slot, reused across renders so that strings keep their
// capacity.
template <typename T>
T& ReuseSlot(std::vector<T>* slots, size_t i) {
  if (i == slots->size()) slots->emplace_back();
  return (*slots)[i];
}

}  // namespace vitals::sim
