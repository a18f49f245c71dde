#include "common/http/server_options_config.h"

#include <cstdint>

#include "common/http/url.h"

namespace vitals::http {

void DeclareServerKeys(config::Keys& k, ServerOptions& o) {
  // Below 1 KiB ordinary Flink pushes would be refused.
  k.Key("max_body_bytes", &o.max_body_bytes,
        "a larger request body, as sent, gets 413; gzip pushes also after decoding (Influx "
        "writes: influx.max_body_bytes)")
      .Min(1024);
  k.Key("read_timeout", &o.read_timeout, "a request must arrive within this").Positive();
  k.Key("idle_timeout", &o.idle_timeout, "keep-alive connections idle longer are closed")
      .Positive();
  k.Key("threads", &o.threads, "I/O threads, and as many threads running write handlers")
      .Range(1, 1024);
  k.Key("max_inflight_requests", &o.max_inflight_requests,
        "writes queued or running at once; one more gets 429")
      .Range(1, 1'000'000);
  k.Key("retry_after", &o.retry_after, "the 429's Retry-After, in whole seconds (rounded up)")
      .Range(absl::Seconds(1), absl::Hours(1));
  k.Key("max_line_bytes", &o.max_line_bytes, "a longer line of a push or write gets 400 naming it")
      .Min(1024);
  k.Key("max_series_per_request", &o.max_series_per_request,
        "more samples (Pushgateway) or points (Influx) in one request get 413")
      .Positive();
  // Well under the descriptor limit, which `vitals` raises to its hard
  // limit at start: beyond it connections are answered and closed at once.
  k.Key("max_connections", &o.max_connections,
        "connections open at once; beyond it only /healthz and /readyz are answered (503 "
        "otherwise) and the connection is closed")
      .Range(1, 1'000'000);
  k.Key("reads_need_user", &o.reads_need_user,
        "with basic_auth_users in the web config, GET and HEAD need a user too (writes always "
        "do; /healthz and /readyz never)");
}

void ParseServerOptions(config::YamlMap& section, ServerOptions* options) {
  config::Read(section, options, DeclareServerKeys);
}

absl::Status ValidateServerOptions(const ServerOptions& options) {
  return config::Check("http", options, DeclareServerKeys);
}

absl::Status CheckHostPort(const std::string& text) {
  std::string host;
  uint16_t port = 0;
  return ParseHostPort(text, &host, &port);
}

}  // namespace vitals::http
