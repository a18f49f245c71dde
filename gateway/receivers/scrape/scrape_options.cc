#include "gateway/receivers/scrape/scrape_options.h"

#include "absl/strings/str_cat.h"

namespace vitals::gateway {

absl::Status ScrapeOptions::Validate() const {
  if (enabled && files.empty()) {
    return absl::InvalidArgumentError("scrape.files: list at least one file_sd path when enabled");
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("scrape.files[", i, "]: must not be empty"));
    }
  }
  if (interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("scrape.interval: must be at least 100ms");
  }
  if (timeout < absl::Milliseconds(10)) {
    return absl::InvalidArgumentError("scrape.timeout: must be at least 10ms");
  }
  if (timeout > interval) {
    return absl::InvalidArgumentError("scrape.timeout: must not exceed scrape.interval");
  }
  if (refresh_interval < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError("scrape.refresh_interval: must be at least 100ms");
  }
  if (max_body_bytes < 1024 || max_body_bytes > (int64_t{8} << 20)) {
    return absl::InvalidArgumentError("scrape.max_body_bytes: must be between 1 KiB and 8 MiB");
  }
  if (max_targets < 1 || max_targets > 4096) {
    return absl::InvalidArgumentError("scrape.max_targets: must be between 1 and 4096");
  }
  return absl::OkStatus();
}

ScrapeOptions ParseScrapeOptions(config::YamlMap& map) {
  ScrapeOptions o;
  map.Get("enabled", &o.enabled);
  map.Get("files", &o.files);
  map.Get("interval", &o.interval);
  map.Get("timeout", &o.timeout);
  map.Get("refresh_interval", &o.refresh_interval);
  map.Get("max_body_bytes", &o.max_body_bytes);
  map.Get("max_targets", &o.max_targets);
  map.RejectUnknownKeys();
  if (absl::Status s = o.Validate(); !s.ok()) map.Error("", std::string(s.message()));
  return o;
}

}  // namespace vitals::gateway
