#pragma once

// A job's state record must fit in one Kafka message: a record the
// producer refuses is not written at all, and the job's next owner starts
// blank. History is the bulk of a record and the least precious part of it
// (the oldest points matter least to a verdict), so it goes first; the
// oldest migrations next (a verdict reads the newest only).

#include <cstddef>

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

struct FitOutcome {
  size_t history_dropped = 0;
  size_t migrations_dropped = 0;
  // False when even without history and migrations the record is larger.
  bool fits = true;
};

// Drops the oldest history points, then the oldest migrations, until
// `state` serializes to at most `max_bytes`; the fewest that do.
FitOutcome FitRecord(v1::JobState& state, size_t max_bytes);

}  // namespace vitals::scorer
