#include "sim/driver/driver.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/strings.h"
#include "common/http/url.h"

namespace vitals::sim {

absl::Status ApplyFaultSpec(Fleet& fleet, std::string_view spec) {
  for (absl::string_view item : absl::StrSplit(AsAbsl(spec), ',', absl::SkipWhitespace())) {
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("fault \"", item, "\": expected <job>=<fault>"));
    }
    const std::string job(item.substr(0, eq));
    const std::string fault(item.substr(eq + 1));
    int index = -1;
    for (const SimJob& j : fleet.jobs()) {
      if (j.name == job) index = j.index;
    }
    if (index < 0) {
      auto [ptr, ec] = std::from_chars(job.data(), job.data() + job.size(), index);
      if (ec != std::errc() || ptr != job.data() + job.size() || index < 0 ||
          index >= static_cast<int>(fleet.jobs().size())) {
        return absl::InvalidArgumentError(absl::StrCat("fault \"", item, "\": no job ", job));
      }
    }
    absl::StatusOr<FaultKind> kind = ParseFaultKind(fault);
    if (!kind.ok()) return kind.status();
    if (absl::Status s = fleet.SetFault(index, *kind, true); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SimulationDriver>> SimulationDriver::Create(Fleet* fleet,
                                                                           DriverOptions options) {
  std::unique_ptr<SimulationDriver> driver(new SimulationDriver(fleet, options));
  switch (options.reporter) {
    case ReporterKind::kPushgateway:
    case ReporterKind::kInflux:
      if (options.gateway_urls.empty()) return absl::InvalidArgumentError("no gateway URL");
      for (const std::string& url : options.gateway_urls) {
        absl::StatusOr<http::Url> parsed = http::ParseUrl(url);
        if (!parsed.ok()) return parsed.status();
        if (parsed->tls) {
          return absl::InvalidArgumentError(
              absl::StrCat("the simulator pushes plain HTTP, as Flink's reporters do: ", url));
        }
        driver->clients_.push_back(
            std::make_unique<http::HttpClient>(parsed->host, parsed->port, options.timeout));
      }
      break;
    case ReporterKind::kStatsd: {
      std::vector<std::string> addresses = options.statsd_addresses;
      for (size_t i = 0; addresses.empty() && i < options.gateway_urls.size(); ++i) {
        absl::StatusOr<http::Url> parsed = http::ParseUrl(options.gateway_urls[i]);
        if (!parsed.ok()) return parsed.status();
        addresses.push_back(absl::StrCat(parsed->host, ":8125"));
      }
      if (addresses.empty()) return absl::InvalidArgumentError("no StatsD address");
      // Fail early on an address no process could send to.
      for (const std::string& address : addresses) {
        absl::StatusOr<UdpSender> sender = UdpSender::Open(address);
        if (!sender.ok()) return sender.status();
      }
      driver->statsd_addresses_ = std::move(addresses);
      break;
    }
    case ReporterKind::kPrometheus: {
      absl::StatusOr<std::unique_ptr<ScrapeEndpoints>> endpoints =
          ScrapeEndpoints::Start(options.scrape_listen, options.file_sd_paths, fleet->nodes());
      if (!endpoints.ok()) return endpoints.status();
      driver->endpoints_ = std::move(*endpoints);
      break;
    }
  }
  return driver;
}

size_t SimulationDriver::NodeIndex(const std::string& node) const {
  const auto& nodes = fleet_->nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i] == node) return i;
  }
  return 0;
}

void SimulationDriver::Post(const std::string& node, const std::string& method,
                            const std::string& path, const std::string& body,
                            const std::string& content_type, RoundStats* stats) {
  ++stats->requests;
  stats->bytes += body.size();
  http::HttpClient& client = *clients_[NodeIndex(node) % clients_.size()];
  absl::StatusOr<http::ClientResponse> response =
      client.Send(method, path, body, {{"Content-Type", content_type}});
  if (!response.ok() || response->status / 100 != 2) {
    ++stats->failed;
    if (stats->first_error.empty()) {
      stats->first_error = response.ok() ? absl::StrCat(method, " ", path, ": HTTP ",
                                                        response->status, " ", response->body)
                                         : std::string(response.status().message());
    }
  }
}

RoundStats SimulationDriver::Round(int64_t now_ms) {
  fleet_->AdvanceTo(now_ms);
  RoundStats stats;
  switch (options_.reporter) {
    case ReporterKind::kPushgateway:
      RoundPushgateway(&stats);
      break;
    case ReporterKind::kStatsd:
      RoundStatsd(&stats);
      break;
    case ReporterKind::kInflux:
      RoundInflux(&stats);
      break;
    case ReporterKind::kPrometheus:
      RoundPrometheus(&stats);
      break;
  }
  return stats;
}

void SimulationDriver::RoundPushgateway(RoundStats* stats) {
  const RenderStats rendered = RenderPushes(*fleet_, &pushes_);
  const std::vector<RetiredProcess> retired = fleet_->TakeRetired();
  AppendPushDeletes(*fleet_, retired, &pushes_);
  stats->samples = rendered.samples;
  for (const Push& push : pushes_) {
    Post(push.node, push.method, push.path, push.body, push.content_type, stats);
  }
}

absl::StatusOr<UdpSender*> SimulationDriver::SenderFor(const StatsdDatagram& datagram) {
  auto it = statsd_senders_.find(datagram.process_uid);
  if (it != statsd_senders_.end()) return &it->second;
  absl::StatusOr<UdpSender> sender =
      UdpSender::Open(statsd_addresses_[NodeIndex(datagram.node) % statsd_addresses_.size()]);
  if (!sender.ok()) return sender.status();
  return &statsd_senders_.emplace(datagram.process_uid, std::move(*sender)).first->second;
}

void SimulationDriver::RoundStatsd(RoundStats* stats) {
  const RenderStats rendered = RenderStatsd(*fleet_, &datagrams_);
  fleet_->TakeRetired();  // StatsD has nothing to delete
  stats->samples = rendered.samples;
  for (const StatsdDatagram& datagram : datagrams_) {
    ++stats->requests;
    stats->bytes += datagram.payload.size();
    absl::StatusOr<UdpSender*> sender = SenderFor(datagram);
    absl::Status sent = sender.ok() ? (*sender)->Send(datagram.payload) : sender.status();
    if (!sent.ok()) {
      ++stats->failed;
      if (stats->first_error.empty()) stats->first_error = std::string(sent.message());
    }
  }
  // Keep the sockets of processes that reported; the others have retired
  // or crashed, and their sockets close with them.
  std::map<uint64_t, UdpSender> live;
  for (const StatsdDatagram& datagram : datagrams_) {
    auto it = statsd_senders_.find(datagram.process_uid);
    if (it != statsd_senders_.end()) live.insert(statsd_senders_.extract(it));
  }
  statsd_senders_.swap(live);
}

void SimulationDriver::RoundInflux(RoundStats* stats) {
  const RenderStats rendered = RenderInflux(*fleet_, &writes_);
  fleet_->TakeRetired();  // Influx has nothing to delete
  stats->samples = rendered.samples;
  // influxdb-java posts line protocol as text/plain.
  for (const InfluxWrite& write : writes_) {
    Post(write.node, "POST", write.path, write.body, "text/plain; charset=utf-8", stats);
  }
}

void SimulationDriver::RoundPrometheus(RoundStats* stats) {
  const RenderStats rendered = RenderScrapes(*fleet_, &scrapes_);
  fleet_->TakeRetired();  // a retired process's endpoint just disappears
  stats->samples = rendered.samples;
  for (const ScrapeBody& body : scrapes_) stats->bytes += body.body.size();
  stats->requests = scrapes_.size();
  if (absl::Status s = endpoints_->Update(*fleet_, scrapes_); !s.ok()) {
    ++stats->failed;
    stats->first_error = std::string(s.message());
  }
}

}  // namespace vitals::sim
