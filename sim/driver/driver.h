#pragma once

// The simulator's I/O: each report round advances the fleet to the wall
// clock (or a given time), renders every process's payload and sends it to
// the gateway of the node the process runs on, as Flink's reporters would.
// Kept apart from sim/ so that the fleet model stays pure.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/client.h"
#include "sim/driver/reporter_kind.h"
#include "sim/driver/scrape_endpoints.h"
#include "sim/driver/udp_sender.h"
#include "sim/fleet.h"
#include "sim/influx.h"
#include "sim/pushgateway.h"
#include "sim/statsd.h"

namespace vitals::sim {

struct DriverOptions {
  ReporterKind reporter = ReporterKind::kPushgateway;
  // Gateway base URLs (`http://127.0.0.1:9091`); node i reports to
  // gateway_urls[i % size], so one URL serves a whole fleet.
  std::vector<std::string> gateway_urls;
  // kStatsd: the gateways' UDP addresses (host:port), node i to
  // statsd_addresses[i % size]; empty means each gateway URL's host, :8125.
  // Every process sends from a socket of its own, as each Flink process's
  // StatsDReporter does.
  std::vector<std::string> statsd_addresses;
  // kPrometheus: where the processes' endpoints are served, and the
  // file_sd files listing them (node i in file_sd_paths[i % size]).
  std::string scrape_listen = "127.0.0.1:0";
  std::vector<std::string> file_sd_paths;
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

  // One report round at `now_ms`: advance, then report every process as
  // the reporter would: push (and delete the groups of processes that shut
  // down), send datagrams, write, or update the scraped endpoints.
  RoundStats Round(int64_t now_ms);

  // kStatsd: the sockets open, one per live process.
  size_t statsd_sockets() const { return statsd_senders_.size(); }

  // kPrometheus only: the endpoints' server (nullptr otherwise).
  const ScrapeEndpoints* scrape_endpoints() const { return endpoints_.get(); }

 private:
  SimulationDriver(Fleet* fleet, DriverOptions options) : fleet_(fleet), options_(options) {}
  size_t NodeIndex(const std::string& node) const;
  void Post(const std::string& node, const std::string& method, const std::string& path,
            const std::string& body, const std::string& content_type, RoundStats* stats);
  void RoundPushgateway(RoundStats* stats);
  void RoundStatsd(RoundStats* stats);
  // The socket of the process that sent `datagram`, opened on its first
  // datagram.
  absl::StatusOr<UdpSender*> SenderFor(const StatsdDatagram& datagram);
  void RoundInflux(RoundStats* stats);
  void RoundPrometheus(RoundStats* stats);

  Fleet* fleet_;
  DriverOptions options_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // per gateway URL
  std::vector<std::string> statsd_addresses_;               // resolved
  // Per live process (SimProcess::uid); a process that is gone closes its
  // socket at the end of the round it stopped sending in.
  std::map<uint64_t, UdpSender> statsd_senders_;
  std::unique_ptr<ScrapeEndpoints> endpoints_;
  std::vector<Push> pushes_;
  std::vector<StatsdDatagram> datagrams_;
  std::vector<InfluxWrite> writes_;
  std::vector<ScrapeBody> scrapes_;
};

}  // namespace vitals::sim
