#pragma once

// StatsD / DogStatsD line parser. Pure: no I/O, no allocation per line once
// warmed up; every view handed to the sink points into the datagram (or,
// for tags, into the parser's reused scratch vector) and is valid only during
// the sink call. Policies where StatsD dialects disagree are in
// docs/statsd.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gateway/receivers/sample.h"

namespace vitals::gateway {

enum class StatsdType : uint8_t { kGauge, kCounter, kTimer, kHistogram, kDistribution, kSet };

struct StatsdMetric {
  // As sent, unmodified: Flink's scope identifier lives here (it may hold
  // '|', '#', ',', spaces, anything but ':' and '\n').
  std::string_view name;
  // Counters are already divided by the sample rate (42|c|@0.8 gives 52.5);
  // every other type carries the value as sent (timers in milliseconds).
  // NaN and ±Inf are accepted because Flink sends them. NaN for sets.
  double value = 0;
  StatsdType type = StatsdType::kGauge;
  // A gauge written with an explicit '+' or '-': a StatsD server applies it
  // as a delta. Flink means absolute values (it sends `x:0|g` before
  // `x:-5|g` to survive that reading); the consumer decides.
  bool signed_delta = false;
  // In (0, 1]; `@0` is read as 1. Timers/histograms/distributions stand for
  // 1/sample_rate observations each.
  double sample_rate = 1;
  // DogStatsD `|#k:v` tags (valueless tags dropped, last duplicate wins),
  // plus `container_id` from a `|c:` field. Names are raw, not escaped.
  std::span<const LabelView> tags;
  // DogStatsD `|T<unix seconds>`; 0 when absent.
  int64_t timestamp_s = 0;
  // This value's text as sent; for sets, the member.
  std::string_view raw_value;
};

class StatsdSink {
 public:
  virtual ~StatsdSink() = default;
  virtual void OnMetric(const StatsdMetric& metric) = 0;
  // `line` is 1-based within the datagram; `reason` is one of the fixed
  // strings in statsd_reject (stable: usable as a metric label value).
  virtual void OnReject(size_t line, std::string_view reason) = 0;
};

// The complete set of rejection reasons.
namespace statsd_reject {
inline constexpr std::string_view kTooLong = "line too long";
inline constexpr std::string_view kInvalidUtf8 = "invalid utf-8";
inline constexpr std::string_view kNoColon = "missing ':' after name";
inline constexpr std::string_view kEmptyName = "empty name";
inline constexpr std::string_view kNoType = "missing '|type'";
inline constexpr std::string_view kEmptyValue = "empty value";
inline constexpr std::string_view kBadValue = "value is not a number";
inline constexpr std::string_view kUnknownType = "unknown type";
inline constexpr std::string_view kPackedValues = "several values need type ms, h or d";
inline constexpr std::string_view kEmptyField = "empty field";
inline constexpr std::string_view kBadSampleRate = "bad sample rate";
inline constexpr std::string_view kBadTimestamp = "bad timestamp";
inline constexpr std::string_view kBadContainerId = "bad container id";
inline constexpr std::string_view kUnknownField = "unknown field";
inline constexpr std::string_view kDuplicateField = "duplicate field";
inline constexpr std::string_view kTooManyTags = "too many tags";
}  // namespace statsd_reject

struct StatsdParseOptions {
  // Off: `|#…` and `|c:…` fields are checked but yield no tags.
  bool dogstatsd_tags = true;
  size_t max_line_bytes = 8192;
  size_t max_tags = 64;
};

class StatsdParser {
 public:
  explicit StatsdParser(StatsdParseOptions options = {});

  // Splits on '\n' (a trailing '\r' is dropped; empty lines are skipped and
  // count as neither). Each line is accepted — one OnMetric per value — or
  // rejected with one OnReject, never both, and never affects other lines.
  // Returns the number of accepted lines.
  size_t Parse(std::string_view datagram, StatsdSink& sink);

 private:
  // Returns the rejection reason, or an empty view when accepted.
  std::string_view ParseLine(std::string_view line, StatsdSink& sink);

  StatsdParseOptions options_;
  std::vector<LabelView> tags_;  // scratch, reused across lines
  std::vector<double> values_;   // scratch for packed values
};

}  // namespace vitals::gateway
