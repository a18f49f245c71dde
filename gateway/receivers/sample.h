#pragma once

// The currency between Prometheus-shaped parsers (text 0.0.4, OpenMetrics)
// and the rest of the gateway. Views point into the request buffer or the
// parser's scratch space and are valid only during the SampleSink call, so
// parsing allocates nothing per sample.

#include <cstdint>
#include <span>
#include <string_view>

namespace vitals::gateway {

enum class SampleType : uint8_t {
  kUntyped,
  kGauge,
  kCounter,
  kSummary,
  kHistogram,
  kGaugeHistogram,
  kInfo,
  kStateSet,
};

struct LabelView {
  std::string_view name;
  std::string_view value;
};

struct SampleView {
  std::string_view name;    // sample name as written, e.g. `x_count`
  std::string_view family;  // family name from `# TYPE`, else == name
  SampleType type = SampleType::kUntyped;
  std::span<const LabelView> labels;
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
};

// Receives each sample as it is parsed.
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void OnSample(const SampleView& sample) = 0;
};

}  // namespace vitals::gateway
