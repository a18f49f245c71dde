#pragma once

// Which of Flink's stock reporters the simulated fleet imitates.

#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::sim {

enum class ReporterKind {
  kPushgateway,  // PrometheusPushGatewayReporter: HTTP pushes to :9091
  kStatsd,       // StatsDReporter: UDP datagrams to :8125
  kInflux,       // InfluxdbReporter: HTTP line protocol to :9091/write
  kPrometheus,   // PrometheusReporter: endpoints the gateway scrapes
};

// "pushgateway", "statsd", "influx" or "prometheus".
absl::StatusOr<ReporterKind> ParseReporterKind(std::string_view name);
std::string_view ReporterKindName(ReporterKind kind);

}  // namespace vitals::sim
