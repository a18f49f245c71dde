#pragma once

// Self-metrics live in a prometheus-cpp Registry per process; this renders
// it as Prometheus text for our own GET /metrics (no second HTTP stack).

#include <string>

#include "prometheus/registry.h"

namespace vitals::metrics {

std::string RenderText(const prometheus::Registry& registry);

}  // namespace vitals::metrics
