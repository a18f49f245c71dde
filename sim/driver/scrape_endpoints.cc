#include "sim/driver/scrape_endpoints.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/base/json_string.h"
#include "common/http/url.h"

namespace vitals::sim {

std::string ScrapePath(const ScrapeBody& body) {
  return absl::StrCat("/pods/", http::PercentEncode(body.pod), "/metrics");
}

absl::StatusOr<std::unique_ptr<ScrapeEndpoints>> ScrapeEndpoints::Start(
    const std::string& listen, std::vector<std::string> file_sd_paths,
    std::vector<std::string> nodes) {
  if (file_sd_paths.empty()) return absl::InvalidArgumentError("no file_sd path to write");
  http::ServerOptions options;
  if (absl::Status s = http::ParseHostPort(listen, &options.address, &options.port); !s.ok()) {
    return s;
  }
  std::unique_ptr<ScrapeEndpoints> endpoints(new ScrapeEndpoints());
  endpoints->file_sd_paths_ = std::move(file_sd_paths);
  endpoints->nodes_ = std::move(nodes);
  endpoints->server_ = std::make_unique<http::Server>(options);
  ScrapeEndpoints* self = endpoints.get();
  endpoints->server_->Route("GET", "/pods/",
                            [self](const http::Request& r) { return self->Serve(r); });
  if (absl::Status s = endpoints->server_->Start(); !s.ok()) return s;
  return endpoints;
}

ScrapeEndpoints::~ScrapeEndpoints() {
  if (server_) (void)server_->Shutdown(absl::InfiniteFuture());
}

http::Response ScrapeEndpoints::Serve(const http::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = body_by_path_.find(request.path());
  if (it == body_by_path_.end()) return http::Response::Text(404, "no such process\n");
  ++scrapes_;
  http::Response response;
  // What Flink's PrometheusReporter (the Prometheus Java client) answers.
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = it->second;
  return response;
}

uint64_t ScrapeEndpoints::scrapes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return scrapes_;
}

absl::Status ScrapeEndpoints::Update(const Fleet& fleet, const std::vector<ScrapeBody>& bodies) {
  std::map<std::string, std::string, std::less<>> fresh;
  for (const ScrapeBody& body : bodies) fresh[ScrapePath(body)] = body.body;
  bool targets_changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    targets_changed = fresh.size() != body_by_path_.size() ||
                      !std::equal(fresh.begin(), fresh.end(), body_by_path_.begin(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; });
    body_by_path_ = std::move(fresh);
  }
  return targets_changed ? WriteFileSd(fleet, bodies) : absl::OkStatus();
}

absl::Status ScrapeEndpoints::WriteFileSd(const Fleet& fleet,
                                          const std::vector<ScrapeBody>& bodies) const {
  std::vector<std::string> groups(file_sd_paths_.size());
  const std::string target = JsonString(absl::StrCat("127.0.0.1:", server_->port()));
  for (const ScrapeBody& body : bodies) {
    size_t node = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i] == body.node) node = i;
    }
    std::string& out = groups[node % groups.size()];
    if (!out.empty()) out += ",\n";
    const SimJob& job = fleet.jobs()[body.job];
    absl::StrAppend(&out, "  {\"targets\": [", target,
                    "], \"labels\": {\"__metrics_path__\": ", JsonString(ScrapePath(body)),
                    ", \"cluster\": ", JsonString(job.cluster));
    if (const std::string_view team = TeamOf(fleet.spec(), job.index); !team.empty()) {
      absl::StrAppend(&out, ", \"team\": ", JsonString(team));
    }
    out += "}}";
  }
  for (size_t i = 0; i < file_sd_paths_.size(); ++i) {
    // A reader polling the file must never see half of it.
    const std::string tmp = file_sd_paths_[i] + ".tmp";
    {
      std::ofstream file(tmp, std::ios::trunc);
      file << "[\n" << groups[i] << (groups[i].empty() ? "" : "\n") << "]\n";
      if (!file) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
    if (std::rename(tmp.c_str(), file_sd_paths_[i].c_str()) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", file_sd_paths_[i]));
    }
  }
  return absl::OkStatus();
}

}  // namespace vitals::sim
