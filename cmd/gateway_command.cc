#include <cstdio>

#include "cmd/commands.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "common/log/log.h"
#include "gateway/gateway.h"

namespace vitals::cmd {

int RunGateway(const Args& args) {
  CommonFlags common;
  std::string listen, node, cluster, bootstrap, topic;
  FlagSet flags("gateway", "[--config FILE] [flags]",
                "Runs the per-node gateway. Flink's stock reporters point at it:\n"
                "PrometheusPushGatewayReporter at http://<node>:9091. It aggregates per job and\n"
                "interval, publishes MetricBatches to Kafka through one producer, and serves the\n"
                "aggregates as one Prometheus target on GET /metrics. SIGTERM flushes the open\n"
                "interval and waits for Kafka's acknowledgement (gateway.shutdown_timeout).");
  AddCommonFlags(flags, &common);
  flags.String("listen", &listen, "HTTP listen address host:port (gateway.listen)");
  flags.String("node", &node, "node name written into every batch (gateway.node)");
  flags.String("cluster", &cluster, "cluster label, e.g. k8s-prod-eu (gateway.cluster)");
  flags.String("kafka-bootstrap", &bootstrap,
               "Kafka bootstrap servers (gateway.kafka.properties.bootstrap.servers)");
  flags.String("topic", &topic, "Kafka topic for MetricBatches (gateway.kafka.topic)");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  VitalsConfig config;
  if (!LoadAndApply(common, &config)) return 1;
  gateway::GatewayConfig& g = config.gateway;
  if (!listen.empty()) g.listen = listen;
  if (!node.empty()) g.node = node;
  if (!cluster.empty()) g.cluster = cluster;
  if (!bootstrap.empty()) g.kafka_properties["bootstrap.servers"] = bootstrap;
  if (!topic.empty()) g.kafka_sink.topic = topic;
  if (!g.kafka_properties.count("bootstrap.servers")) {
    std::fprintf(stderr,
                 "vitals gateway: no Kafka: set gateway.kafka.properties.bootstrap.servers or "
                 "--kafka-bootstrap (or run `vitals standalone`)\n");
    return 1;
  }
  gateway::Gateway gw(g);
  if (absl::Status s = gw.Start(); !s.ok()) {
    log::Error("gateway failed to start", {{"error", std::string(s.message())}});
    return 1;
  }
  while (WaitForSignal(absl::Hours(1)) != SignalEvent::kTerminate) {
  }
  log::Info("SIGTERM: stopping intake, flushing the open interval");
  return gw.Shutdown().ok() ? 0 : 1;
}

}  // namespace vitals::cmd
