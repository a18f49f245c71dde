#pragma once

// The OpenMetrics 1.0 text grammar, strict per the spec and its reference
// parser (README.md beside this file lists the two choices it leaves).
// Internal to the promtext parser: PromTextParser is the way in.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gateway/receivers/promtext/line_parser.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/promtext/reuse_tables.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway::promtext_internal {

// OpenMetrics state kept between bodies for its capacity: the family names
// (with their suffixes) already closed, the label groups seen in the current
// family, and an exemplar's label set.
struct OpenMetricsScratch {
  InternedSet closed_names;
  std::string candidate_name;
  HashSet seen_groups;
  std::vector<LabelView> exemplar_labels;
  std::string exemplar_unescaped;
};

// Parses one whole OpenMetrics body, delivering its samples to `sink` up to
// the first bad line, whose LineError it returns.
absl::Status ParseOpenMetrics(std::string_view body, const PromTextLimits& limits,
                              LineScratch& line, OpenMetricsScratch& scratch, SampleSink& sink);

}  // namespace vitals::gateway::promtext_internal
