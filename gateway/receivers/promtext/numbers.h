#pragma once

// The number grammar both text formats share: sample values, `le` and
// `quantile` labels, OpenMetrics timestamps and exemplars. How each format
// turns a timestamp into milliseconds lives with its grammar. Internal to
// the promtext parser.

#include <string_view>

namespace vitals::gateway::promtext_internal {

// The number grammar both formats share (OpenMetrics' ABNF, which is also
// what Go's ParseFloat accepts once hex floats and `_` are excluded):
//   [sign] digits [. digits] [(e|E) [sign] digits]   (either digit run may be empty, not both)
//   [sign] inf | [sign] infinity | nan                (any case; only with `special`)
// Overflow is refused; underflow reads as 0, as in Go.
bool ParseNumber(std::string_view s, bool special, double& out);

}  // namespace vitals::gateway::promtext_internal
