#pragma once

// The `influx:` section of the gateway config: the Influx line protocol
// receiver's options (keys in README.md beside this file).

#include <cstdint>

#include "absl/status/status.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "gateway/receivers/influx/normalizer.h"
#include "gateway/receivers/influx/parser.h"

namespace vitals::gateway {

struct InfluxReceiverOptions {
  bool enabled = true;
  // Limit on a body after gzip decoding (the HTTP server limits what is
  // sent).
  int64_t max_body_bytes = 64 << 20;
  // Bad lines named in a 400 answer; the rest are counted.
  int64_t max_errors_listed = 10;
  InfluxParseOptions parse;
  InfluxNormalizerOptions normalize;

  // InvalidArgument naming each offending key (`influx.max_body_bytes: …`).
  absl::Status Validate() const;
};

// The keys of the `influx:` section.
void DeclareInfluxKeys(config::Keys& keys, InfluxReceiverOptions& options);

// Reads an `influx:` section; errors go to map.errors().
InfluxReceiverOptions ParseInfluxReceiverOptions(config::YamlMap& map);

}  // namespace vitals::gateway
