#include "common/http/server_options_config.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace vitals::http {
namespace {

// Each out-of-range limit as (key, reason). A line limit below 1 KiB would
// refuse ordinary Flink lines; the inflight cap must let something through.
std::vector<std::pair<std::string, std::string>> LimitErrors(const ServerOptions& o) {
  std::vector<std::pair<std::string, std::string>> errors;
  if (o.max_inflight_requests < 1 || o.max_inflight_requests > 1'000'000) {
    errors.emplace_back("max_inflight_requests", "must be between 1 and 1000000");
  }
  if (o.retry_after < absl::Seconds(1) || o.retry_after > absl::Hours(1)) {
    errors.emplace_back("retry_after", "must be between 1s and 1h");
  }
  if (o.max_line_bytes < 1024) errors.emplace_back("max_line_bytes", "must be at least 1024");
  if (o.max_series_per_request < 1) {
    errors.emplace_back("max_series_per_request", "must be at least 1");
  }
  return errors;
}

size_t NonNegative(int64_t value) { return static_cast<size_t>(std::max<int64_t>(value, 0)); }

}  // namespace

void ParseServerOptions(config::YamlMap& section, ServerOptions* options) {
  int64_t max_body = static_cast<int64_t>(options->max_body_bytes);
  section.Get("max_body_bytes", &max_body);
  options->max_body_bytes = NonNegative(max_body);
  section.Get("read_timeout", &options->read_timeout);
  section.Get("idle_timeout", &options->idle_timeout);
  int64_t threads = options->threads;
  section.Get("threads", &threads);
  options->threads = static_cast<int>(threads);
  int64_t inflight = options->max_inflight_requests;
  section.Get("max_inflight_requests", &inflight);
  options->max_inflight_requests =
      static_cast<int>(std::clamp<int64_t>(inflight, -1, 1'000'000'000));
  section.Get("retry_after", &options->retry_after);
  int64_t max_line = static_cast<int64_t>(options->max_line_bytes);
  section.Get("max_line_bytes", &max_line);
  options->max_line_bytes = NonNegative(max_line);
  int64_t max_series = static_cast<int64_t>(options->max_series_per_request);
  section.Get("max_series_per_request", &max_series);
  options->max_series_per_request = NonNegative(max_series);
  section.RejectUnknownKeys();
  for (const auto& [key, reason] : LimitErrors(*options)) section.Error(key, reason);
}

absl::Status ValidateServerLimits(const ServerOptions& options) {
  const auto errors = LimitErrors(options);
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("http.", errors.front().first, ": ", errors.front().second));
}

}  // namespace vitals::http
