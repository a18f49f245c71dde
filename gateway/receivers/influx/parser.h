#pragma once

// Influx line protocol (v1 `/write` and v2 `/api/v2/write`), as Flink's
// InfluxdbReporter sends it through influxdb-java. The grammar and every
// accept/reject decision follow the reference decoder of
// github.com/influxdata/line-protocol, checked against its corpus; see
// README.md beside this file for the rules and the few deliberate choices.
//
// Parsing is line by line: a bad line is reported and skipped, the good
// lines around it still reach the sink. Views in an InfluxPoint point into
// the request body or the parser's scratch space and are valid only during
// the OnPoint call, so steady-state parsing allocates nothing per point.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway {

// Which write endpoint a precision came from: they accept different sets.
enum class InfluxApi : uint8_t { kV1, kV2 };

enum class InfluxPrecision : uint8_t {
  kNanoseconds,
  kMicroseconds,
  kMilliseconds,
  kSeconds,
  kMinutes,
  kHours,
};

// Parses the `precision` query parameter; empty means nanoseconds.
// v1 (`/write`): n, ns, u, ms, s, m, h. v2 (`/api/v2/write`): ns, us, ms, s.
// InfluxDB 1.x silently reads any other value as nanoseconds, which turns a
// typo into timestamps off by 10^3..10^9; we refuse it instead.
absl::StatusOr<InfluxPrecision> ParseInfluxPrecision(std::string_view value, InfluxApi api);

// Nanoseconds per unit of `precision`.
int64_t InfluxPrecisionNanos(InfluxPrecision precision);

enum class InfluxFieldType : uint8_t { kFloat, kInteger, kUnsigned, kString, kBoolean };

// One field; only the member matching `type` is meaningful.
struct InfluxField {
  std::string_view key;
  InfluxFieldType type = InfluxFieldType::kFloat;
  double float_value = 0;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  bool bool_value = false;
  std::string_view string_value;
};

struct InfluxPoint {
  std::string_view measurement;
  std::span<const LabelView> tags;      // wire order; keys are unique
  std::span<const InfluxField> fields;  // wire order; at least one
  bool has_timestamp = false;           // false: the receiver stamps the point itself
  int64_t timestamp_ns = 0;             // already scaled by the request's precision
};

class InfluxSink {
 public:
  virtual ~InfluxSink() = default;
  virtual void OnPoint(const InfluxPoint& point) = 0;
  // `line` is 1-based; `reason` is valid only during the call.
  virtual void OnReject(size_t line, std::string_view reason) = 0;
};

struct InfluxParseOptions {
  // Bounds on one line's work; a line over either is rejected. Flink sends
  // about ten tags and at most twelve fields (histograms).
  size_t max_tags = 256;
  size_t max_fields = 256;
};

class InfluxParser {
 public:
  explicit InfluxParser(InfluxParseOptions options = {});

  // Parses every line of `body`; returns the number of points accepted.
  size_t Parse(std::string_view body, InfluxPrecision precision, InfluxSink& sink);

 private:
  // Where an unescaped token lives until the line is complete: unescaped_
  // may grow (and move) while later tokens of the same line are copied in.
  enum class Slot : uint8_t { kMeasurement, kTagName, kTagValue, kFieldKey, kFieldString };
  struct DeferredView {
    Slot slot;
    size_t index;
    size_t offset;
    size_t size;
  };

  bool ParseLine(InfluxPrecision precision);
  void SkipBlankLines();
  bool TakeToken(uint8_t char_class, uint8_t escape_class, Slot slot, size_t index,
                 std::string_view& out);
  bool ParseTags();
  bool ParseFields();
  bool ParseFieldValue(InfluxField& field);
  bool ParseStringValue(InfluxField& field);
  bool ParseTimestamp(InfluxPrecision precision);
  bool CheckTagsUnique();
  void ResolveDeferred();
  bool AtEndOfLine() const;
  void ConsumeEndOfLine();
  bool Fail(std::string_view reason);
  bool FailAtByte(std::string_view what);

  InfluxParseOptions options_;

  // Per-call cursor.
  std::string_view body_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t error_line_ = 0;

  // The line being built; reused so that capacity survives across lines.
  std::string_view measurement_;
  std::vector<LabelView> tags_;
  std::vector<InfluxField> fields_;
  bool has_timestamp_ = false;
  int64_t timestamp_ns_ = 0;
  std::string unescaped_;
  std::vector<DeferredView> deferred_;
  std::string reason_;
};

}  // namespace vitals::gateway
