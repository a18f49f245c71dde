#pragma once

// The web config file of Prometheus' exporters (`--web.config.file`):
// TLS for the listener and users allowed in with basic auth. The format is
// Prometheus' own, so one file serves Vitals and the exporters beside it:
//
//   tls_server_config:
//     cert_file: /etc/vitals/tls/tls.crt
//     key_file: /etc/vitals/tls/tls.key
//   basic_auth_users:
//     flink: $2y$10$…        # bcrypt, e.g. from `htpasswd -nBC 10 flink`
//
// Vitals reads the keys below and refuses any other; see docs/security.md.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/keys.h"
#include "common/http/server.h"

namespace vitals::http {

struct TlsServerConfig {
  std::string cert_file;  // PEM chain, the server's certificate first
  std::string key_file;   // PEM private key
  // NoClientCert, RequestClientCert, RequireAnyClientCert,
  // VerifyClientCertIfGiven or RequireAndVerifyClientCert, as in Prometheus.
  std::string client_auth_type = "NoClientCert";
  std::string client_ca_file;  // PEM CAs that client certificates are verified against
  std::string min_version = "TLS12";
  std::string max_version = "TLS13";
};

struct WebConfig {
  TlsServerConfig tls;
  // User name → bcrypt hash ($2a$, $2b$ or $2y$).
  std::map<std::string, std::string> basic_auth_users;
  // Headers added to every response (`http_server_config.headers`).
  std::map<std::string, std::string> headers;

  bool tls_enabled() const { return !tls.cert_file.empty(); }
  bool auth_enabled() const { return !basic_auth_users.empty(); }
};

// The keys of a web config file.
void DeclareWebConfigKeys(config::Keys& keys, WebConfig& config);

// Reads and checks a web config file; InvalidArgument naming each bad key
// (`web config /etc/vitals/web.yml: tls_server_config.key_file: …`). An empty
// file is a valid config that turns nothing on, as in Prometheus.
absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path);

// A config key's check: the file loads (empty path: nothing to check).
absl::Status CheckWebConfigFile(const std::string& path);

// Loads `path` into options->web; an empty path leaves it plain HTTP.
absl::Status ApplyWebConfigFile(const std::string& path, ServerOptions* options);

}  // namespace vitals::http
