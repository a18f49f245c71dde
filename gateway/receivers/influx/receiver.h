#pragma once

// Influx line protocol writes on the gateway's HTTP port, a drop-in target
// for Flink's InfluxdbReporter (influxdb-java):
//   POST /write?db=&rp=&precision=&consistency=     (InfluxDB 1.x API)
//   POST /api/v2/write?org=&bucket=&precision=      (InfluxDB 2.x API)
//   GET|HEAD /ping
// Bodies may be gzip-encoded. A bad line does not spoil the others: the
// good lines' points are taken, and the answer is 400 naming each bad line
// (InfluxDB's partial write); otherwise 204. Wire examples and
// self-metrics are in README.md beside this file.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/base/clock.h"
#include "common/http/server.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/influx/normalizer.h"
#include "gateway/receivers/influx/options.h"
#include "gateway/receivers/influx/parser.h"
#include "gateway/receivers/ingest_metrics.h"
#include "gateway/receivers/receiver.h"

namespace vitals::gateway {

class InfluxReceiver final : public Receiver {
 public:
  using Clock = vitals::Clock;
  using Options = InfluxReceiverOptions;
  static constexpr std::string_view kSection = "influx";
  static void DeclareKeys(config::Keys& keys, Options& options) {
    DeclareInfluxKeys(keys, options);
  }
  static bool Enabled(const Options& options) { return options.enabled; }
  static Options WithCluster(Options options, std::string cluster) {
    options.normalize.configured_cluster = std::move(cluster);
    return options;
  }

  // `sink` must be thread-safe: requests are handled on the server's
  // threads, each through process attribution with `processes`.
  InfluxReceiver(InfluxReceiverOptions options, FlinkSampleSink* sink, ProcessJobTable* processes,
                 IngestMetrics* metrics, Clock clock);
  InfluxReceiver(InfluxReceiverOptions options, const ReceiverContext& context)
      : InfluxReceiver(WithCluster(std::move(options), context.cluster), context.sink,
                       context.processes, context.ingest, context.clock) {}
  ~InfluxReceiver() override;

  std::string_view component_name() const override { return "influx receiver"; }

  // Registers POST /write, POST /api/v2/write (labelled "influx" for the
  // server's overload handler) and GET|HEAD /ping. Takes the server's body
  // limits: a line over max_line_bytes is a bad line like any other (400
  // naming it, the other lines taken); a body of more than
  // max_series_per_request points (lines) is refused whole with 413.
  void Route(http::Server& server) override;
  http::Response Handle(const http::Request& request);

 private:
  // A parser and a normalizer keep scratch space: one per request in flight.
  struct Worker;
  std::unique_ptr<Worker> Acquire();
  void Release(std::unique_ptr<Worker> worker);

  http::Response Write(const http::Request& request, InfluxApi api);
  http::Response Refuse(int status, std::string_view code, std::string_view reason,
                        std::string_view message);

  InfluxReceiverOptions options_;
  size_t max_line_bytes_ = http::ServerOptions().max_line_bytes;
  size_t max_series_ = http::ServerOptions().max_series_per_request;
  FlinkSampleSink* sink_;
  ProcessJobTable* processes_;
  IngestMetrics* metrics_;
  Clock clock_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Worker>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::gateway
