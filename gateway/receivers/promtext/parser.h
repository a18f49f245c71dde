#pragma once

// Prometheus text exposition 0.0.4 (what Flink's PrometheusReporter and
// PrometheusPushGatewayReporter write) and OpenMetrics 1.0 text, parsed
// straight out of the request body into SampleViews. Accept/reject follows
// prometheus/common's expfmt for 0.0.4 and the OpenMetrics spec (as checked by
// its reference parser's test suite) for OpenMetrics; README.md beside this
// file lists the rules and the few deliberate choices.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway {

namespace promtext_internal {
struct Scratch;  // label buffers and per-body tables, private to parser.cc
}  // namespace promtext_internal

enum class TextFormat : uint8_t { kPrometheus004, kOpenMetrics100 };

// Picks the format from a Content-Type header value: the media type
// `application/openmetrics-text` (any version, any case) is OpenMetrics,
// anything else, including no header at all, is 0.0.4.
TextFormat TextFormatFromContentType(std::string_view content_type);

// Bounds on the work one body may cause; exceeding one is a line error.
struct PromTextLimits {
  size_t max_line_bytes = 64 * 1024;
  size_t max_samples = 1'000'000;
  size_t max_labels = 128;  // per sample
};

class PromTextParser {
 public:
  explicit PromTextParser(TextFormat format, PromTextLimits limits = {});
  ~PromTextParser();
  PromTextParser(PromTextParser&&) noexcept;
  PromTextParser& operator=(PromTextParser&&) noexcept;

  // Parses a whole body, calling sink.OnSample for each sample in order.
  // Returns OK or LineError(line, reason) for the first error (samples before
  // it may already have been delivered; callers stage them). Reusable across
  // bodies; keeps scratch buffers so steady-state parsing does no per-sample
  // heap allocation.
  absl::Status Parse(std::string_view body, SampleSink& sink);

  TextFormat format() const { return format_; }

 private:
  TextFormat format_;
  PromTextLimits limits_;
  std::unique_ptr<promtext_internal::Scratch> scratch_;
};

}  // namespace vitals::gateway
