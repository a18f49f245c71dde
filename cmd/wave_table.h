#pragma once

// `vitals status wave <wave>`: a wave's verdict and one row per job with its
// verdict, the scores before and after the move and the first reason.

#include <string>

#include "vitals/v1/health.pb.h"

namespace vitals::cmd {

// Renders the wave (jobs in the wave's order). `ansi` adds colour.
std::string RenderWaveTable(const v1::WaveStatus& status, bool ansi);

}  // namespace vitals::cmd
