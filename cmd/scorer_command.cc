#include <cstdio>

#include "cmd/commands.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "common/log/log.h"
#include "scorer/scorer.h"

namespace vitals::cmd {

int RunScorer(const Args& args) {
  CommonFlags common;
  std::string listen, web_config, bootstrap, group;
  FlagSet flags("scorer", "[--config FILE] [flags]",
                "Runs a scorer replica: consumes MetricBatches from Kafka in a consumer group\n"
                "(replicas split the jobs), grades every job 0-10 per interval, publishes\n"
                "HealthReports to flink.health (scorer.kafka.health_topic), and serves the JSON\n"
                "API (/api/v1/jobs...) and flink_job_health_score on GET /metrics.");
  AddCommonFlags(flags, &common);
  flags.String("listen", &listen, "HTTP listen address host:port").FromConfig("scorer.listen");
  flags
      .String("web.config.file", &web_config,
              "TLS and basic-auth users, Prometheus' web config format (docs/security.md)")
      .FromConfig("scorer.web_config_file");
  flags.String("kafka-bootstrap", &bootstrap, "Kafka bootstrap servers")
      .FromConfig("scorer.kafka.properties.bootstrap.servers");
  flags.String("group", &group, "consumer group id").FromConfig("scorer.kafka.group_id");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  VitalsConfig config;
  if (!LoadAndApply(common, &config)) return 1;
  scorer::ScorerConfig& s = config.scorer;
  if (!listen.empty()) s.listen = listen;
  if (!web_config.empty()) s.web_config_file = web_config;
  if (!bootstrap.empty()) s.kafka_properties["bootstrap.servers"] = bootstrap;
  if (!group.empty()) s.group_id = group;
  if (!s.kafka_properties.count("bootstrap.servers")) {
    std::fprintf(stderr,
                 "vitals scorer: no Kafka: set scorer.kafka.properties.bootstrap.servers or "
                 "--kafka-bootstrap (or run `vitals standalone`)\n");
    return 1;
  }
  scorer::Scorer replica(s);
  if (absl::Status st = replica.Start(); !st.ok()) {
    log::Error("scorer failed to start", {{"error", std::string(st.message())}});
    return 1;
  }
  while (WaitForSignal(absl::Hours(1)) != SignalEvent::kTerminate) {
  }
  return replica.Shutdown(absl::Now() + s.shutdown_timeout).ok() ? 0 : 1;
}

}  // namespace vitals::cmd
