#pragma once

// The simulated fleet's PrometheusReporter endpoints. Real TaskManagers
// each serve :9249; here one HTTP server on loopback serves every process
// under its own path (`/pods/<pod>/metrics`), and Prometheus `file_sd`
// files list them (one target group per process, with its
// `__metrics_path__`), which is what the gateway's scraper reads.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/server.h"
#include "sim/scrape.h"

namespace vitals::sim {

class ScrapeEndpoints {
 public:
  // Serves on `listen` (host:port, port 0 picks one); node i's processes
  // are listed in file_sd_paths[i % size] (at least one path).
  static absl::StatusOr<std::unique_ptr<ScrapeEndpoints>> Start(
      const std::string& listen, std::vector<std::string> file_sd_paths,
      std::vector<std::string> nodes);
  ~ScrapeEndpoints();

  // Serves these bodies from now on; rewrites the file_sd files (atomically,
  // by rename) when the set of processes changed. Each target is labelled
  // with its job's cluster (and team), as per-cluster service discovery
  // would.
  absl::Status Update(const Fleet& fleet, const std::vector<ScrapeBody>& bodies);
  uint16_t port() const { return server_->port(); }
  // Scrapes answered so far.
  uint64_t scrapes() const;

 private:
  ScrapeEndpoints() = default;
  http::Response Serve(const http::Request& request);
  absl::Status WriteFileSd(const Fleet& fleet, const std::vector<ScrapeBody>& bodies) const;

  std::unique_ptr<http::Server> server_;
  std::vector<std::string> file_sd_paths_;
  std::vector<std::string> nodes_;
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> body_by_path_;
  uint64_t scrapes_ = 0;
};

// The path a process's endpoint is served under.
std::string ScrapePath(const ScrapeBody& body);

}  // namespace vitals::sim
