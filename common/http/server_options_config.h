#pragma once

// The `http:` section that both the gateway and the scorer config carry.

#include <string>

#include "absl/status/status.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "common/http/server.h"

namespace vitals::http {

// The keys of an `http:` section: body, time and load limits.
void DeclareServerKeys(config::Keys& keys, ServerOptions& options);

// Reads an `http:` section into `options` (absent keys keep its values);
// unknown keys and out-of-range values are errors at their key.
void ParseServerOptions(config::YamlMap& section, ServerOptions* options);

// InvalidArgument naming each out-of-range key (`http.max_line_bytes: …`);
// for options built without a config file.
absl::Status ValidateServerOptions(const ServerOptions& options);

// A listen address `host:port` (`:port`: all interfaces), as a key's check.
absl::Status CheckHostPort(const std::string& text);

}  // namespace vitals::http
