#pragma once

// The standard self-metrics of every receiver, made in one place so that
// formats count alike: samples accepted per format, rejections per format
// and reason, overload refusals, sender-named clusters ignored.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace vitals::gateway {

class IngestMetrics {
 public:
  explicit IngestMetrics(prometheus::Registry& registry);

  void Received(std::string_view format, double samples);
  void Rejected(std::string_view format, std::string_view reason, double count = 1);
  void Overloaded(std::string_view format, double count = 1);
  // A request accepted but for the cluster it named, which the gateway's
  // config did not let override its own (gateway.pushgateway.cluster_override).
  void ClusterIgnored(std::string_view format, double count = 1);

  double received(std::string_view format) const;
  double rejected(std::string_view format, std::string_view reason) const;
  double cluster_ignored(std::string_view format) const;

 private:
  prometheus::Counter& Get(prometheus::Family<prometheus::Counter>& family,
                           std::map<std::string, std::string> labels) const;

  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& overloaded_;
  prometheus::Family<prometheus::Counter>& cluster_ignored_;
};

}  // namespace vitals::gateway
