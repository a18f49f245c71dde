#pragma once

// The job score from its dimensions. A weighted mean alone would let one
// failing dimension hide behind six healthy ones (failing checkpoints would
// average to a 7), so every graded dimension also caps the job score:
//
//   ceiling(s) = s          for s <= 4  (critical: the job is no better)
//              = 2s − 4     for 4 < s < 6
//              = s + 2      for s >= 6  (a warning costs at most 2 points)
//   score = min(weighted mean of graded dimensions, min ceiling)
//
// Unknown dimensions count for neither; they lower `confidence`, the share
// of weight that had data, instead of passing as healthy.

#include "vitals/v1/health.pb.h"

namespace vitals::scorer {

using Dimensions = google::protobuf::RepeatedPtrField<v1::DimensionScore>;

struct Combined {
  // 0..10, NaN when no dimension had data.
  double score;
  // 0..1.
  double confidence;
};

double Ceiling(double dimension_score);
Combined Combine(const Dimensions& dimensions);

}  // namespace vitals::scorer
