#pragma once

// The `http:` section that both the gateway and the scorer config carry.

#include "absl/status/status.h"
#include "common/config/yaml_reader.h"
#include "common/http/server.h"

namespace vitals::http {

// Reads max_body_bytes, read_timeout, idle_timeout, threads,
// max_inflight_requests, retry_after, max_line_bytes and
// max_series_per_request into `options` (absent keys keep its values),
// rejects unknown keys, and records out-of-range values of the load and
// body limits as errors at their key.
void ParseServerOptions(config::YamlMap& section, ServerOptions* options);

// InvalidArgument naming the first out-of-range load or body limit
// (`http.max_line_bytes: …`); for options built without a config file.
absl::Status ValidateServerLimits(const ServerOptions& options);

}  // namespace vitals::http
