#pragma once

// Prometheus file-based service discovery (`file_sd`) files: a list of
// target groups, in JSON (`.json`) or YAML (`.yml`, `.yaml`):
//
//   [{"targets": ["10.0.0.7:9249", "10.0.0.8:9249"],
//     "labels": {"job_name": "orders", "__scrape_interval__": "15s"}}]
//
// Meta-labels, as Prometheus names them: `__scheme__` (only http can be
// scraped: an https target is kept with an error, so it shows as down),
// `__metrics_path__` (default /metrics), `__scrape_interval__` and
// `__scrape_timeout__`. Other `__` labels are dropped; the rest go with
// every sample of the group's targets. A `cluster` label must be a cluster
// name (common/base/cluster_name.h): it names the samples' cluster.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/receivers/scrape/target.h"

namespace vitals::gateway {

// What a group gets when it sets no `__scrape_interval__` /
// `__scrape_timeout__` of its own (the `scrape:` section).
struct FileSdDefaults {
  absl::Duration interval = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(5);
};

struct TargetGroup {
  std::string origin;  // `file: [i]`
  // Resolved: each carries the group's labels, scheme, path and timing.
  std::vector<ScrapeTarget> targets;
};

// Parses the text of a file_sd file. `file` picks the syntax by its
// extension and prefixes every error, which then names the entry and key
// (`/etc/sd/a.json: [1].targets[0]: "x": expected host:port`). An empty file
// is an error, not an empty list: a generator caught half-way through a
// rewrite must not make every target vanish (write `[]` for none).
absl::StatusOr<std::vector<TargetGroup>> ParseFileSd(std::string_view file, std::string_view text,
                                                     const FileSdDefaults& defaults);

// Reads `file` and parses it; NotFound / Unavailable when it cannot be read.
absl::StatusOr<std::vector<TargetGroup>> ReadFileSd(const std::string& file,
                                                    const FileSdDefaults& defaults);

}  // namespace vitals::gateway
