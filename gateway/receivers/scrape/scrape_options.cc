#include "gateway/receivers/scrape/scrape_options.h"

namespace vitals::gateway {

void DeclareScrapeKeys(config::Keys& k, ScrapeOptions& o) {
  k.Key("enabled", &o.enabled, "pull the Flink PrometheusReporter endpoints listed in files");
  k.Key("files", &o.files, "Prometheus file_sd files (JSON or YAML) or globs, re-read on change")
      .UniqueItems();
  k.Key("interval", &o.interval, "per target; a group's __scrape_interval__ label overrides it")
      .Range(absl::Milliseconds(100), absl::Hours(1));
  k.Key("timeout", &o.timeout, "per target, at most interval; __scrape_timeout__ overrides it")
      .Min(absl::Milliseconds(10));
  k.Key("refresh_interval", &o.refresh_interval, "how often the files are checked for changes")
      .Range(absl::Milliseconds(100), absl::Hours(1));
  // The HTTP client reads at most 8 MiB.
  k.Key("max_body_bytes", &o.max_body_bytes, "a larger scrape body is refused (too_large)")
      .Range(1024, int64_t{8} << 20);
  // Each target has a thread of its own.
  k.Key("max_targets", &o.max_targets, "targets beyond this many are not scraped").Range(1, 4096);
  if (o.enabled && o.files.empty()) {
    k.Error("files", "list at least one file_sd path when enabled");
  }
  if (o.timeout > o.interval) k.Error("timeout", "must not exceed scrape.interval");
}

absl::Status ScrapeOptions::Validate() const {
  return config::Check("scrape", *this, DeclareScrapeKeys);
}

ScrapeOptions ParseScrapeOptions(config::YamlMap& map) {
  ScrapeOptions o;
  config::Read(map, &o, DeclareScrapeKeys);
  return o;
}

}  // namespace vitals::gateway
