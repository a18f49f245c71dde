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
  if (options.gateway_urls.empty()) return absl::InvalidArgumentError("no gateway URL");
  std::unique_ptr<SimulationDriver> driver(new SimulationDriver(fleet, options));
  for (const std::string& url : options.gateway_urls) {
    absl::StatusOr<http::Url> parsed = http::ParseUrl(url);
    if (!parsed.ok()) return parsed.status();
    driver->clients_.push_back(
        std::make_unique<http::HttpClient>(parsed->host, parsed->port, options.timeout));
  }
  return driver;
}

http::HttpClient& SimulationDriver::ClientFor(const std::string& node) {
  const auto& nodes = fleet_->nodes();
  size_t index = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i] == node) index = i;
  }
  return *clients_[index % clients_.size()];
}

RoundStats SimulationDriver::Round(int64_t now_ms) {
  fleet_->AdvanceTo(now_ms);
  RoundStats stats;
  const RenderStats rendered = RenderPushes(*fleet_, &pushes_);
  const std::vector<RetiredProcess> retired = fleet_->TakeRetired();
  AppendPushDeletes(*fleet_, retired, &pushes_);
  stats.samples = rendered.samples;
  for (const Push& push : pushes_) {
    ++stats.requests;
    stats.bytes += push.body.size();
    absl::StatusOr<http::ClientResponse> response = ClientFor(push.node).Send(
        push.method, push.path, push.body, {{"Content-Type", push.content_type}});
    if (!response.ok() || response->status / 100 != 2) {
      ++stats.failed;
      if (stats.first_error.empty()) {
        stats.first_error = response.ok() ? absl::StrCat(push.method, " ", push.path, ": HTTP ",
                                                         response->status, " ", response->body)
                                          : std::string(response.status().message());
      }
    }
  }
  return stats;
}

}  // namespace vitals::sim
