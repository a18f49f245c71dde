#include "common/http/web_config.h"

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config/yaml_reader.h"

namespace vitals::http {
namespace {

// The headers Prometheus' exporters let a web config set: security
// headers, not a way to rewrite responses.
const std::set<std::string, std::less<>>& SettableHeaders() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
      "Content-Security-Policy"};
  return *names;
}

absl::Status Readable(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  return absl::OkStatus();
}

// `$2a$`, `$2b$` or `$2y$`, a two-digit cost, and 53 characters of
// bcrypt's base64: what libcrypt verifies. Checked here so that a typo
// is refused at start rather than locking every user out.
bool IsBcryptHash(std::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!absl::ascii_isdigit(hash[4]) || !absl::ascii_isdigit(hash[5])) return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : hash.substr(7)) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '/') return false;
  }
  return true;
}

void DeclareTlsKeys(config::Keys& k, TlsServerConfig& t) {
  k.Key("cert_file", &t.cert_file, "PEM certificate chain, the server's certificate first")
      .Check("a readable file", Readable);
  k.Key("key_file", &t.key_file, "PEM private key of cert_file").Check("a readable file", Readable);
  k.Key("client_auth_type", &t.client_auth_type, "whether clients must show a certificate")
      .OneOf({"NoClientCert", "RequestClientCert", "RequireAnyClientCert",
              "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"});
  k.Key("client_ca_file", &t.client_ca_file, "PEM CAs that verify client certificates")
      .Check("a readable file", Readable);
  k.Key("min_version", &t.min_version, "lowest TLS version accepted").OneOf({"TLS12", "TLS13"});
  k.Key("max_version", &t.max_version, "highest TLS version accepted").OneOf({"TLS12", "TLS13"});
  if (k.listing()) return;
  if (t.cert_file.empty() != t.key_file.empty()) {
    k.Error(t.cert_file.empty() ? "cert_file" : "key_file", "cert_file and key_file go together");
  }
  if (t.min_version > t.max_version) k.Error("min_version", "is above max_version");
  const bool verifies = absl::StrContains(t.client_auth_type, "Verify");
  if (verifies && t.client_ca_file.empty()) {
    k.Error("client_ca_file", absl::StrCat("required by client_auth_type ", t.client_auth_type));
  }
}

}  // namespace

void DeclareWebConfigKeys(config::Keys& k, WebConfig& c) {
  k.Section("tls_server_config", &c.tls, DeclareTlsKeys);
  k.Key("basic_auth_users", &c.basic_auth_users,
        "user name: bcrypt hash; with users, requests need one (see http.reads_need_user)")
      .Check("user names without ':' and bcrypt hashes ($2a$, $2b$ or $2y$)",
             [](const std::map<std::string, std::string>& users) {
               for (const auto& [user, hash] : users) {
                 // Basic auth splits user and password at the first ':'.
                 if (user.empty() || absl::StrContains(user, ':')) {
                   return absl::InvalidArgumentError(
                       absl::StrCat("user name '", user, "' is empty or holds ':'"));
                 }
                 if (!IsBcryptHash(hash)) {
                   return absl::InvalidArgumentError(
                       absl::StrCat("user ", user, ": not a bcrypt hash ($2a$, $2b$ or $2y$)"));
                 }
               }
               return absl::OkStatus();
             });
  k.Section("http_server_config", [&](config::Keys& server) {
    bool http2 = false;
    // Accepted so that a Prometheus web config loads as it is; Vitals
    // speaks HTTP/1.1 only.
    server.Key("http2", &http2, "accepted and ignored: Vitals speaks HTTP/1.1");
    server.Key("headers", &c.headers, "security headers added to every response")
        .Check("one of " + absl::StrJoin(SettableHeaders(), ", "),
               [](const std::map<std::string, std::string>& headers) {
                 for (const auto& [name, value] : headers) {
                   if (!SettableHeaders().contains(name)) return false;
                 }
                 return true;
               });
  });
}

absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path) {
  YAML::Node root;
  if (absl::Status s = config::LoadYamlFile(path, &root); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("web config: ", s.message()));
  }
  config::ConfigErrors errors;
  config::YamlMap map(root, "", &errors);
  WebConfig web;
  config::Read(map, &web, DeclareWebConfigKeys);
  if (absl::Status s = errors.ToStatus(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("web config ", path, ": ", s.message()));
  }
  return web;
}

absl::Status CheckWebConfigFile(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  return LoadWebConfig(path).status();
}

absl::Status ApplyWebConfigFile(const std::string& path, ServerOptions* options) {
  if (path.empty()) return absl::OkStatus();
  absl::StatusOr<WebConfig> web = LoadWebConfig(path);
  if (!web.ok()) return web.status();
  options->web = std::make_shared<const WebConfig>(std::move(*web));
  return absl::OkStatus();
}

}  // namespace vitals::http
