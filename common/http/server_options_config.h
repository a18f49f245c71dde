#pragma once

// The `http:` section that both the gateway and the scorer config carry.

#include "common/config/yaml_reader.h"
#include "common/http/server.h"

namespace vitals::http {

// Reads max_body_bytes, read_timeout, idle_timeout and threads into
// `options` (absent keys keep its values) and rejects unknown keys.
void ParseServerOptions(config::YamlMap& section, ServerOptions* options);

}  // namespace vitals::http
