#pragma once

// Flink's PrometheusReporter replaces every character outside
// [a-zA-Z0-9:_] in label values (and names) by '_' by default. StatsD and
// Influx carry the raw values, so every ingest path applies the same
// filter: otherwise one job would have two identities (`my-job`, `my_job`)
// depending on how it reports.

#include <string>
#include <string_view>

namespace vitals {

inline bool IsPromNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':';
}

inline bool IsPromSafe(std::string_view value) {
  for (char c : value) {
    if (!IsPromNameChar(c)) return false;
  }
  return true;
}

// Replaces every character outside [a-zA-Z0-9:_] by '_'.
inline void FilterPromChars(std::string& value) {
  for (char& c : value) {
    if (!IsPromNameChar(c)) c = '_';
  }
}

}  // namespace vitals
