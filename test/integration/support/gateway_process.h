#pragma once

// `vitals gateway` as a child process for integration tests: started from
// a YAML config, its HTTP port read from its "gateway started" log line,
// and its own /metrics read back as numbers.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "test/integration/support/child_process.h"

namespace vitals::testing {

class GatewayProcess {
 public:
  // Writes `config_yaml` to a temporary file and starts the gateway on it;
  // the config must listen on 127.0.0.1:0.
  static absl::StatusOr<std::unique_ptr<GatewayProcess>> Start(std::string_view config_yaml,
                                                               absl::Duration startup_timeout);

  // Stops the process (if still running) and removes its config file.
  ~GatewayProcess();

  int port() const { return port_; }
  std::string url() const;
  // The config file it runs on (rewrite it and send SIGHUP to reload).
  const std::string& config_path() const { return config_path_; }
  ChildProcess& child() { return *child_; }

  // GET /metrics.
  absl::StatusOr<std::string> Metrics() const;

 private:
  GatewayProcess() = default;
  std::string config_path_;
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
};

// The sum of every sample of `name` in a text exposition whose label set
// contains `label_filter` (for example `reason="buffer_full"`; empty takes
// all). -1 when there is no such sample.
double SampleSum(std::string_view exposition, std::string_view name,
                 std::string_view label_filter = {});

}  // namespace vitals::testing
