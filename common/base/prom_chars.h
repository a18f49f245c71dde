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

// Label values (and job names) are filtered one step further: ':' becomes
// '_' too. Flink's StatsDReporter writes ':' as '-' (it is StatsD's
// separator), so an operator named `Source: orders` arrives as
// `Source:_orders` from PrometheusReporter but `Source-_orders` from StatsD;
// dropping ':' gives both the one identity `Source__orders`.
inline bool IsLabelValueChar(char c) { return c != ':' && IsPromNameChar(c); }

inline bool IsLabelValueSafe(std::string_view value) {
  for (char c : value) {
    if (!IsLabelValueChar(c)) return false;
  }
  return true;
}

// Replaces every character outside [a-zA-Z0-9_] by '_'.
inline void FilterLabelValue(std::string& value) {
  for (char& c : value) {
    if (!IsLabelValueChar(c)) c = '_';
  }
}

}  // namespace vitals
