#include "gateway/receivers/ingest_metrics.h"

#include "common/base/strings.h"

namespace vitals::gateway {

IngestMetrics::IngestMetrics(prometheus::Registry& registry)
    : registry_(registry),
      cluster_ignored_(prometheus::BuildCounter()
                           .Name("vitals_gateway_cluster_ignored_total")
                           .Help("Requests accepted whose named cluster differed from the "
                                 "gateway's and was ignored (no cluster override).")
                           .Register(registry)) {}

metrics::FlowMetrics& IngestMetrics::Flow(std::string_view format) {
  absl::MutexLock lock(&mu_);
  auto it = flows_.find(AsAbsl(format));
  if (it != flows_.end()) return *it->second;
  metrics::FlowSpec spec;
  spec.labels = {{"format", std::string(format)}};
  spec.accepted = metrics::SeriesName{"vitals_gateway_samples_received_total",
                                      "Samples accepted by a receiver, by wire format.",
                                      {}};
  spec.rejected.by_reason = {"vitals_gateway_rejected_total",
                             "Lines, requests or datagrams refused, by format and reason.",
                             {}};
  spec.rejected.own[std::string(kOverload)] = {
      "vitals_gateway_overload_rejected_total",
      "Requests or datagrams refused because the gateway was overloaded.",
      {}};
  auto flow = std::make_unique<metrics::FlowMetrics>(registry_, spec);
  metrics::FlowMetrics& made = *flow;
  flows_.emplace(AsAbsl(format), std::move(flow));
  return made;
}

void IngestMetrics::ClusterIgnored(std::string_view format, double count) {
  cluster_ignored_.Add({{"format", std::string(format)}}).Increment(count);
}

double IngestMetrics::cluster_ignored(std::string_view format) {
  return cluster_ignored_.Add({{"format", std::string(format)}}).Value();
}

}  // namespace vitals::gateway
