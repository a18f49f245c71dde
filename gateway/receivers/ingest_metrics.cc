#include "gateway/receivers/ingest_metrics.h"

namespace vitals::gateway {

IngestMetrics::IngestMetrics(prometheus::Registry& registry)
    : received_(prometheus::BuildCounter()
                    .Name("vitals_gateway_samples_received_total")
                    .Help("Samples accepted by a receiver, by wire format.")
                    .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("vitals_gateway_rejected_total")
                    .Help("Lines, requests or datagrams refused, by format and reason.")
                    .Register(registry)),
      overloaded_(prometheus::BuildCounter()
                      .Name("vitals_gateway_overload_rejected_total")
                      .Help("Requests or datagrams refused because the gateway was overloaded.")
                      .Register(registry)),
      cluster_ignored_(prometheus::BuildCounter()
                           .Name("vitals_gateway_cluster_ignored_total")
                           .Help("Requests accepted whose named cluster differed from the "
                                 "gateway's and was ignored (no cluster override).")
                           .Register(registry)) {}

prometheus::Counter& IngestMetrics::Get(prometheus::Family<prometheus::Counter>& family,
                                        std::map<std::string, std::string> labels) const {
  // Family::Add is internally synchronised and returns the existing child
  // for known labels.
  return family.Add(labels);
}

void IngestMetrics::Received(std::string_view format, double samples) {
  Get(received_, {{"format", std::string(format)}}).Increment(samples);
}

void IngestMetrics::Rejected(std::string_view format, std::string_view reason, double count) {
  Get(rejected_, {{"format", std::string(format)}, {"reason", std::string(reason)}})
      .Increment(count);
}

void IngestMetrics::Overloaded(std::string_view format, double count) {
  Get(overloaded_, {{"format", std::string(format)}}).Increment(count);
}

void IngestMetrics::ClusterIgnored(std::string_view format, double count) {
  Get(cluster_ignored_, {{"format", std::string(format)}}).Increment(count);
}

double IngestMetrics::received(std::string_view format) const {
  return Get(received_, {{"format", std::string(format)}}).Value();
}

double IngestMetrics::rejected(std::string_view format, std::string_view reason) const {
  return Get(rejected_, {{"format", std::string(format)}, {"reason", std::string(reason)}}).Value();
}

double IngestMetrics::cluster_ignored(std::string_view format) const {
  return Get(cluster_ignored_, {{"format", std::string(format)}}).Value();
}

}  // namespace vitals::gateway
