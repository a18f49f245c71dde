#pragma once

// The one HTTP/1.1 server of the project (Boost.Beast on Asio), shared by
// the gateway and the scorer: keep-alive, a request size limit, read and
// idle timeouts, routes by method and path, and load shedding. Beast stays
// inside server.cc so that only one translation unit pays for its templates.
//
// With a web config (web_config.h) it speaks TLS and asks for a user
// (401 with `WWW-Authenticate: Basic`) before any handler runs.
//
// Threads: `threads` I/O threads read and write connections and run GET and
// HEAD handlers inline (probes, scrapes and API reads: cheap, and they must
// answer while writes are being shed). Every other method's handler runs on
// a pool of `threads` handler threads; at most `max_inflight_requests` such
// requests are queued or running at once, and one more is answered
// `429 Too Many Requests` with `Retry-After` without reaching its handler,
// so that an overloaded process stays responsive instead of queueing
// without bound.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/component/component.h"

namespace vitals::http {

struct WebConfig;  // web_config.h

class Request {
 public:
  std::string_view method() const { return method_; }
  std::string_view target() const { return target_; }  // path and query
  std::string_view path() const { return path_; }      // percent-encoded, as sent
  std::string_view query() const { return query_; }
  std::string_view body() const { return body_; }
  // Case-insensitive; empty when absent.
  std::string_view Header(std::string_view name) const;
  // Value of a query parameter (percent-decoded); empty when absent.
  std::string QueryParam(std::string_view name) const;
  std::string_view peer() const { return peer_; }

  // Built by the server (and by tests that call handlers directly).
  Request(std::string_view method, std::string_view target, std::string_view body,
          std::vector<std::pair<std::string_view, std::string_view>> headers,
          std::string_view peer = {});

 private:
  std::string_view method_, target_, path_, query_, body_, peer_;
  std::vector<std::pair<std::string_view, std::string_view>> headers_;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;
// Called for each request refused with 429, with the label its route was
// registered under (empty when none); on an I/O thread, so keep it short.
using OverloadHandler = std::function<void(std::string_view route_label)>;

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 0;  // 0 picks a free port; read it back with port()
  size_t max_body_bytes = 16 << 20;
  size_t max_header_bytes = 64 << 10;
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  int threads = 2;
  // Requests other than GET and HEAD queued or running at once; one more
  // gets 429 with `Retry-After` (whole seconds, rounded up).
  int max_inflight_requests = 256;
  absl::Duration retry_after = absl::Seconds(1);
  // Bounds on one ingest body after gzip decoding. The server does not read
  // bodies; the receivers that parse line-oriented bodies take these from
  // the server they register on (see options()).
  size_t max_line_bytes = 64 << 10;
  size_t max_series_per_request = 100'000;
  // Connections open at once. Beyond it a connection is still accepted but
  // only answers one GET /healthz or /readyz (so probes see the process
  // alive under a flood); anything else gets 503 and the connection
  // closes, as does one silent for a second.
  int max_connections = 10'000;
  // TLS and users from a web config file (web_config.h); null: plain HTTP
  // that anyone may use.
  std::shared_ptr<const WebConfig> web;
  // With users configured, whether GET and HEAD need one too. Writes
  // always do; GET /healthz and /readyz never (probes carry no secret).
  bool reads_need_user = true;
};

class Server final : public Component {
 public:
  explicit Server(ServerOptions options);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // `method` empty matches any method. A `path` ending in '/' matches every
  // path below it (longest wins); otherwise the match is exact. `label`
  // names the route's traffic for the overload handler (an ingest route
  // passes its wire format). Register before Start().
  void Route(std::string method, std::string path, Handler handler, std::string label = {});

  // Set before Start(); without one, refusals are only answered.
  void OnOverload(OverloadHandler handler);

  const ServerOptions& options() const;

  std::string_view component_name() const override { return "http server"; }
  // Binds and starts serving; Unavailable if the address cannot be bound,
  // InvalidArgument if the web config's certificate or key do not load.
  absl::Status Start() override;
  uint16_t port() const;
  // Stops accepting and closes connections; handlers already running
  // finish (they are bounded by the request limits, not by `deadline`).
  // Safe without Start, safe twice.
  absl::Status Shutdown(absl::Time deadline) override;

  // Opaque; named here only so that server.cc's connection type can see it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitals::http
