#pragma once

// The simulator's I/O: each report round advances the fleet to the wall
// clock (or a given time), renders every process's payload and sends it to
// the gateway of the node the process runs on, as Flink's reporters would.
// Kept apart from sim/ so that the fleet model stays pure.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/client.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"

namespace vitals::sim {

struct DriverOptions {
  // Gateway base URLs (`http://127.0.0.1:9091`); node i reports to
  // gateway_urls[i % size], so one URL serves a whole fleet.
  std::vector<std::string> gateway_urls;
  absl::Duration timeout = absl::Seconds(10);
};

struct RoundStats {
  size_t requests = 0;
  size_t samples = 0;
  size_t bytes = 0;
  size_t failed = 0;  // transport errors and non-2xx answers
  std::string first_error;
};

// Parses `job-003=checkpoint_failure,job-007=backpressure` (job names or
// indexes) and switches those faults on.
absl::Status ApplyFaultSpec(Fleet& fleet, std::string_view spec);

class SimulationDriver {
 public:
  static absl::StatusOr<std::unique_ptr<SimulationDriver>> Create(Fleet* fleet,
                                                                  DriverOptions options);

  // One report round at `now_ms`: advance, push every process, delete the
  // groups of processes that shut down.
  RoundStats Round(int64_t now_ms);

 private:
  SimulationDriver(Fleet* fleet, DriverOptions options) : fleet_(fleet), options_(options) {}
  http::HttpClient& ClientFor(const std::string& node);

  Fleet* fleet_;
  DriverOptions options_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // per gateway URL
  std::vector<Push> pushes_;
};

}  // namespace vitals::sim
