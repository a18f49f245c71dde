#pragma once

// One Flink PrometheusReporter endpoint to scrape, as a file_sd entry
// resolved against the `scrape:` defaults.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vitals::gateway {

struct ScrapeTarget {
  std::string address;  // host:port as written in file_sd
  std::string host;     // without IPv6 brackets
  uint16_t port = 0;
  std::string scheme = "http";
  std::string metrics_path = "/metrics";
  absl::Duration interval = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(5);
  // The group's labels without the `__` meta-labels, sorted by name.
  std::vector<std::pair<std::string, std::string>> labels;
  // Set when the entry names the target but it cannot be scraped (an
  // https scheme): it is kept, reported down, and never contacted.
  absl::Status error;
  // Where it was declared (`file: [i]`), for log lines.
  std::string origin;

  // The target's identity and its `target` label: the address, plus the
  // path when it is not the default /metrics, so two endpoints on one port
  // stay apart.
  std::string Name() const { return metrics_path == "/metrics" ? address : address + metrics_path; }

  // Everything that changes how it is scraped or what its samples carry.
  bool SameSettings(const ScrapeTarget& o) const {
    return address == o.address && scheme == o.scheme && metrics_path == o.metrics_path &&
           interval == o.interval && timeout == o.timeout && labels == o.labels && error == o.error;
  }
};

}  // namespace vitals::gateway
