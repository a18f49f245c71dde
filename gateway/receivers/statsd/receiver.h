#pragma once

// The StatsD listener (UDP, default :8125), a drop-in target for Flink's
// StatsDReporter: datagrams → StatsdParser → StatsdNormalizer → the sink
// (the aggregator). Wire examples and self-metrics are in README.md beside
// this file.
//
// Each of `threads` lanes owns a socket, a thread, a parser and a
// normalizer; with more than one lane the sockets share the port through
// SO_REUSEPORT, whose hash keeps each sender on one lane, so its lines
// arrive in order at one normalizer. The socket's kernel buffer
// (SO_RCVBUF) is the bounded queue: what arrives while it is full is
// dropped by the kernel, and counted (SO_RXQ_OVFL) as overloaded.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/base/clock.h"
#include "common/config/yaml_reader.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
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
  StatsdParseOptions parse;
  StatsdNormalizerOptions normalize;

  // InvalidArgument naming the offending key.
  absl::Status Validate() const;
};

// Reads a `statsd:` section (keys in README.md); errors go to map.errors().
StatsdReceiverOptions ParseStatsdReceiverOptions(config::YamlMap& map);

class StatsdReceiver {
 public:
  using Clock = vitals::Clock;

  // `sink` must be thread-safe when threads > 1 (the aggregator is). Each
  // lane's samples go through process attribution with `processes`: the
  // datagrams of one wake-up are one batch.
  StatsdReceiver(StatsdReceiverOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
                 IngestMetrics* metrics, Clock clock);
  ~StatsdReceiver();
  StatsdReceiver(const StatsdReceiver&) = delete;
  StatsdReceiver& operator=(const StatsdReceiver&) = delete;

  // Binds and starts the lanes. InvalidArgument for bad options,
  // Unavailable when the address cannot be bound. Not after Shutdown.
  absl::Status Start();
  // Stops the lanes, then hands on what the normalizers still hold. Safe
  // without Start and safe twice.
  void Shutdown();

  uint16_t port() const { return port_; }
  // Datagrams read, and datagrams the kernel dropped for want of room.
  uint64_t datagrams() const;
  uint64_t overloaded() const;

  struct Lane;  // opaque; public only for receiver.cc's helpers

 private:
  StatsdReceiverOptions options_;
  FlinkSampleSink* sink_;
  ProcessJobTable* processes_;
  IngestMetrics* metrics_;
  Clock clock_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool shut_down_ = false;
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace vitals::gateway
