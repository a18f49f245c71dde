#pragma once

// Observed values in plain language for explanations and diagnoses:
// "4 min", "35 s ago", "64%", "1.2M records".

#include <cstdint>
#include <string>

#include "scorer/window/merged_interval.h"

namespace vitals::scorer {

// A duration in milliseconds, rounded to what a reader needs: "800 ms",
// "35 s", "4 min", "1.5 h".
std::string Duration(double ms);
// "35 s ago"; "just now" under a second.
std::string Ago(double ms);
// A 0..1 ratio as a percentage: "64%", "0.5%".
std::string Percent(double ratio);
// A count or rate with k/M/G suffixes: "950", "12k", "1.2M".
std::string Quantity(double value);
// For process-wide figures (JVM GC, CPU): "" for a job's own processes,
// else "; shared by 3 jobs (2 of 4 processes run other jobs too: session
// cluster)".
std::string SharingNote(const ProcessSharing& sharing);

}  // namespace vitals::scorer
