#include "gateway/receivers/promtext/parser.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "common/base/ascii.h"
#include "gateway/receivers/promtext/line_parser.h"
#include "gateway/receivers/promtext/openmetrics_parser.h"
#include "gateway/receivers/promtext/text004_parser.h"

namespace vitals::gateway {

namespace promtext_internal {

// Everything that survives between bodies so its capacity is reused. A
// parser reads one format, but keeping both formats' state costs only a few
// empty containers.
struct Scratch {
  LineScratch line;
  Text004Scratch text004;
  OpenMetricsScratch openmetrics;
};

}  // namespace promtext_internal

TextFormat TextFormatFromContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  return AsciiEqualsIgnoreCase(media, "application/openmetrics-text") ? TextFormat::kOpenMetrics100
                                                                      : TextFormat::kPrometheus004;
}

PromTextParser::PromTextParser(TextFormat format, PromTextLimits limits)
    : format_(format), limits_(limits), scratch_(std::make_unique<promtext_internal::Scratch>()) {
  scratch_->line.labels.reserve(std::min<size_t>(limits_.max_labels, 32));
}

PromTextParser::~PromTextParser() = default;
PromTextParser::PromTextParser(PromTextParser&&) noexcept = default;
PromTextParser& PromTextParser::operator=(PromTextParser&&) noexcept = default;

absl::Status PromTextParser::Parse(std::string_view body, SampleSink& sink) {
  promtext_internal::Scratch& s = *scratch_;
  if (format_ == TextFormat::kOpenMetrics100) {
    return promtext_internal::ParseOpenMetrics(body, limits_, s.line, s.openmetrics, sink);
  }
  return promtext_internal::ParseText004(body, limits_, s.line, s.text004, sink);
}

}  // namespace vitals::gateway
