#include <cstdio>

#include "cmd/commands.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "common/log/log.h"
#include "gateway/gateway.h"

namespace vitals::cmd {

int RunGateway(const Args& args) {
  CommonFlags common;
  std::string listen, web_config, node, cluster, bootstrap, topic;
  FlagSet flags("gateway", "[--config FILE] [flags]",
                "Runs the per-node gateway. Flink's stock reporters point at it:\n"
                "PrometheusPushGatewayReporter at http://<node>:9091. It aggregates per job and\n"
                "interval, publishes MetricBatches to Kafka through one producer, and serves the\n"
                "aggregates as one Prometheus target on GET /metrics. SIGTERM flushes the open\n"
                "interval and waits for Kafka's acknowledgement (gateway.shutdown_timeout).\n"
                "SIGHUP re-reads --config and applies gateway.aggregation (fold rules, metric\n"
                "lists, caps, expiry) and gateway.pushgateway.group_ttl without losing held\n"
                "data; an invalid file is refused and the running config stays.");
  AddCommonFlags(flags, &common);
  flags.String("listen", &listen, "HTTP listen address host:port").FromConfig("gateway.listen");
  flags
      .String("web.config.file", &web_config,
              "TLS and basic-auth users, Prometheus' web config format (docs/security.md)")
      .FromConfig("gateway.web_config_file");
  flags
      .String("node", &node,
              "node name written into every batch; empty: $NODE_NAME, else the host name")
      .FromConfig("gateway.node");
  flags.String("cluster", &cluster, "cluster label, e.g. k8s-prod-eu")
      .FromConfig("gateway.cluster");
  flags.String("kafka-bootstrap", &bootstrap, "Kafka bootstrap servers")
      .FromConfig("gateway.kafka.properties.bootstrap.servers");
  flags.String("topic", &topic, "Kafka topic for MetricBatches").FromConfig("gateway.kafka.topic");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  // The config file with the flags on top: at start and on every SIGHUP.
  const auto load = [&](gateway::GatewayConfig* g) {
    VitalsConfig config;
    if (!LoadAndApply(common, &config)) return false;
    *g = std::move(config.gateway);
    if (!listen.empty()) g->listen = listen;
    if (!web_config.empty()) g->web_config_file = web_config;
    if (!node.empty()) g->node = node;
    if (!cluster.empty()) g->cluster = cluster;
    if (!bootstrap.empty()) g->kafka_properties["bootstrap.servers"] = bootstrap;
    if (!topic.empty()) g->kafka_sink.topic = topic;
    return true;
  };
  gateway::GatewayConfig g;
  if (!load(&g)) return 1;
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
  for (SignalEvent event; (event = WaitForSignal(absl::Hours(1))) != SignalEvent::kTerminate;) {
    if (event != SignalEvent::kReload) continue;
    log::Info("SIGHUP: reloading the config", {{"file", common.config_file}});
    gateway::GatewayConfig fresh;
    if (load(&fresh)) (void)gw.Reload(fresh);  // Reload logs its outcome
  }
  log::Info("SIGTERM: stopping intake, flushing the open interval");
  return gw.Shutdown(absl::Now() + g.shutdown_timeout).ok() ? 0 : 1;
}

}  // namespace vitals::cmd
