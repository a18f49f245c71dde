#pragma once

// A job's state record together with the partition it belongs in: the
// partition number the job's batches arrive on in `flink.metrics`, which is
// also where its record goes in the state topic, so that whoever is
// assigned that partition finds the job's state in the same partition.

#include <cstdint>

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

struct OwnedState {
  int32_t partition = -1;
  v1::JobState state;
};

}  // namespace vitals::scorer
