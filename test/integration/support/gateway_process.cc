#include "test/integration/support/gateway_process.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/base/strings.h"
#include "common/http/client.h"

namespace vitals::testing {

absl::StatusOr<std::unique_ptr<GatewayProcess>> GatewayProcess::Start(
    std::string_view config_yaml, absl::Duration startup_timeout) {
  std::unique_ptr<GatewayProcess> gateway(new GatewayProcess());
  char path[] = "/tmp/vitals-gateway-config-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError("cannot create a temporary config file");
  close(fd);
  gateway->config_path_ = path;
  std::ofstream(gateway->config_path_) << config_yaml;
  gateway->child_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{VitalsBinary(), "gateway", "--config", gateway->config_path_});
  if (!gateway->child_->Start()) return absl::InternalError("cannot start the vitals binary");
  const absl::Time deadline = absl::Now() + startup_timeout;
  constexpr std::string_view kStarted = "msg=\"gateway started\" listen=127.0.0.1:";
  while (absl::Now() < deadline) {
    const std::string err = gateway->child_->Stderr();
    const size_t at = err.find(kStarted);
    if (at != std::string::npos) {
      gateway->port_ = std::atoi(err.c_str() + at + kStarted.size());
      return gateway;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("the gateway did not start; its stderr:\n", gateway->child_->Stderr()));
}

GatewayProcess::~GatewayProcess() {
  child_.reset();  // its destructor kills a child still running
  if (!config_path_.empty()) unlink(config_path_.c_str());
}

std::string GatewayProcess::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

absl::StatusOr<std::string> GatewayProcess::Metrics() const {
  absl::StatusOr<http::ClientResponse> response = http::Fetch("GET", url() + "/metrics");
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat("/metrics answered ", response->status));
  }
  return std::move(response->body);
}

double SampleSum(std::string_view exposition, std::string_view name,
                 std::string_view label_filter) {
  double sum = 0;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(AsAbsl(exposition), '\n', absl::SkipEmpty())) {
    if (line[0] == '#' || !absl::StartsWith(line, AsAbsl(name))) continue;
    const absl::string_view rest = line.substr(name.size());
    if (rest.empty() || (rest[0] != '{' && rest[0] != ' ')) continue;  // a longer name
    const size_t value_at = line.rfind(' ');
    const absl::string_view series = line.substr(0, value_at);
    if (!label_filter.empty() && !absl::StrContains(series, AsAbsl(label_filter))) continue;
    double value = 0;
    if (!absl::SimpleAtod(line.substr(value_at + 1), &value)) continue;
    sum += value;
    found = true;
  }
  return found ? sum : -1;
}

}  // namespace vitals::testing
