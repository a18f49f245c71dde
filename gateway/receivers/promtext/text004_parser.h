#pragma once

// The Prometheus text 0.0.4 grammar, as prometheus/common's expfmt reads it
// (README.md beside this file lists the quirks). Internal to the promtext
// parser: PromTextParser is the way in.

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gateway/receivers/promtext/line_parser.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/promtext/reuse_tables.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway::promtext_internal {

// 0.0.4 state kept between bodies for its capacity: families by name, over
// the whole body (0.0.4 lets them interleave).
struct Text004Scratch {
  struct Family {
    SampleType type = SampleType::kUntyped;
    bool typed = false;  // by TYPE, or fixed as untyped by a sample
    bool has_help = false;
  };
  ViewTable family_index;
  std::vector<Family> families;
};

// Parses one whole 0.0.4 body, delivering its samples to `sink` up to the
// first bad line, whose LineError it returns.
absl::Status ParseText004(std::string_view body, const PromTextLimits& limits, LineScratch& line,
                          Text004Scratch& scratch, SampleSink& sink);

}  // namespace vitals::gateway::promtext_internal
