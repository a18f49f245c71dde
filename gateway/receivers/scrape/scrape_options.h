#pragma once

// The `scrape:` section of the gateway config: which file_sd files list the
// Flink PrometheusReporter endpoints to pull, and how. Keys in README.md
// beside this file.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"

namespace vitals::gateway {

struct ScrapeOptions {
  bool enabled = false;
  // file_sd paths; glob patterns (`/etc/vitals/sd/*.json`) allowed.
  std::vector<std::string> files;
  // Defaults for targets whose group sets no __scrape_interval__ /
  // __scrape_timeout__. Equal to the aggregation interval, each interval
  // gets one scrape of each target.
  absl::Duration interval = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(5);
  // How often the files are checked for changes.
  absl::Duration refresh_interval = absl::Seconds(5);
  // Larger scrape bodies are refused (`too_large`). The HTTP client reads
  // at most 8 MiB, so that is also the ceiling.
  int64_t max_body_bytes = 8 << 20;
  // Each target has a thread of its own (see scraper.h); targets beyond
  // this many are not scraped.
  int64_t max_targets = 256;

  // InvalidArgument naming each offending key (`scrape.timeout: …`).
  absl::Status Validate() const;
};

// The keys of the `scrape:` section.
void DeclareScrapeKeys(config::Keys& keys, ScrapeOptions& options);

// Reads a `scrape:` section; errors go to map.errors().
ScrapeOptions ParseScrapeOptions(config::YamlMap& map);

}  // namespace vitals::gateway
