#pragma once

// The `statsd:` section of the gateway config: the StatsD listener's
// options (keys in README.md beside this file).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/config/keys.h"
#include "common/config/yaml_reader.h"
#include "gateway/receivers/statsd/normalizer.h"
#include "gateway/receivers/statsd/parser.h"

namespace vitals::gateway {

struct StatsdReceiverOptions {
  bool enabled = true;
  // host:port; port 0 picks a free one (read it back with port()).
  std::string listen = "0.0.0.0:8125";
  int threads = 1;
  // SO_RCVBUF asked for; the kernel caps it at net.core.rmem_max. 0 keeps
  // the system default.
  int64_t receive_buffer_bytes = 8 << 20;
  // Longer datagrams are refused (reason "too_large"); 65507 is UDP's limit.
  int64_t max_datagram_bytes = 65507;
  // Datagrams read per recvmmsg call (1..1024), into slots of
  // max_datagram_bytes reused by every call (a lane holds batch ×
  // max_datagram_bytes of buffer); 1 reads each datagram with a recvmsg of
  // its own (the baseline the benchmark compares against).
  int receive_batch = 64;
  StatsdParseOptions parse;
  StatsdNormalizerOptions normalize;

  // InvalidArgument naming each offending key (`statsd.threads: …`).
  absl::Status Validate() const;
};

// The keys of the `statsd:` section.
void DeclareStatsdKeys(config::Keys& keys, StatsdReceiverOptions& options);

// Reads a `statsd:` section; errors go to map.errors().
StatsdReceiverOptions ParseStatsdReceiverOptions(config::YamlMap& map);

}  // namespace vitals::gateway
