#pragma once

// A small blocking HTTP/1.1 client for loopback peers: the simulator's
// pushes, the scraper, the CLI's status table and the tests. One client
// keeps one keep-alive connection and reconnects when the peer closed it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vitals::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(std::string_view name) const;
};

// TLS for a client: the server's certificate is verified against
// `ca_file` (PEM; empty: the system's CAs) and must name the host.
struct ClientTls {
  std::string ca_file;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, absl::Duration timeout = absl::Seconds(10),
             std::optional<ClientTls> tls = std::nullopt);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Unavailable on connection problems or timeout; any HTTP status is a
  // successful exchange.
  absl::StatusOr<ClientResponse> Send(
      std::string_view method, std::string_view target, std::string_view body = {},
      std::vector<std::pair<std::string, std::string>> headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One-shot request to a full `http://host:port/path` or `https://…` URL
// (https verified with `tls`, else with the system's CAs).
absl::StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url,
                                     std::string_view body = {},
                                     std::vector<std::pair<std::string, std::string>> headers = {},
                                     absl::Duration timeout = absl::Seconds(10),
                                     const ClientTls& tls = {});

}  // namespace vitals::http
