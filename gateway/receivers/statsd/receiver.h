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
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/receiver.h"
#include "gateway/receivers/statsd/normalizer.h"
#include "gateway/receivers/statsd/options.h"
#include "gateway/receivers/statsd/parser.h"

namespace vitals::gateway {

class StatsdReceiver final : public Receiver {
 public:
  using Clock = vitals::Clock;
  using Options = StatsdReceiverOptions;
  static constexpr std::string_view kSection = "statsd";
  static void DeclareKeys(config::Keys& keys, Options& options) {
    DeclareStatsdKeys(keys, options);
  }
  static bool Enabled(const Options& options) { return options.enabled; }

  // `sink` must be thread-safe when threads > 1 (the aggregator is). Each
  // lane's samples go through process attribution with `processes`: the
  // datagrams of one wake-up are one batch.
  StatsdReceiver(StatsdReceiverOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
                 IngestMetrics* metrics, Clock clock);
  StatsdReceiver(StatsdReceiverOptions options, const ReceiverContext& context)
      : StatsdReceiver(std::move(options), context.sink, context.processes, context.ingest,
                       context.clock) {}
  ~StatsdReceiver() override;
  StatsdReceiver(const StatsdReceiver&) = delete;
  StatsdReceiver& operator=(const StatsdReceiver&) = delete;

  std::string_view component_name() const override { return "statsd receiver"; }
  // Binds and starts the lanes. InvalidArgument for bad options,
  // Unavailable when the address cannot be bound. Not after Shutdown.
  absl::Status Start() override;
  // Stops the lanes, then hands on what the normalizers still hold. Safe
  // without Start and safe twice.
  absl::Status Shutdown(absl::Time deadline) override;

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
