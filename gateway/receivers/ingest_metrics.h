#pragma once

// The standard self-metrics of every receiver, made in one place so that
// formats count alike: samples accepted per format, rejections per format
// and reason, overload refusals.

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
  void Overloaded(std::string_view format);

  double received(std::string_view format) const;
  double rejected(std::string_view format, std::string_view reason) const;

 private:
  prometheus::Counter& Get(prometheus::Family<prometheus::Counter>& family,
                           std::map<std::string, std::string> labels) const;

  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& overloaded_;
};

}  // namespace vitals::gateway
