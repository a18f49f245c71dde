#include "common/metrics/flow_metrics.h"

#include <cassert>
#include <utility>

#include "common/base/strings.h"

namespace vitals::metrics {
namespace {

prometheus::Labels Merged(const prometheus::Labels& a, const prometheus::Labels& b) {
  prometheus::Labels all = a;
  all.insert(b.begin(), b.end());
  return all;
}

}  // namespace

FlowMetrics::ByReason::ByReason(prometheus::Registry& registry,
                                const prometheus::Labels& flow_labels, const ReasonCounts& counts)
    : labels_(Merged(flow_labels, counts.by_reason.labels)) {
  absl::MutexLock lock(&mu_);
  for (const auto& [reason, own] : counts.own) {
    counters_[reason] =
        &prometheus::BuildCounter().Name(own.name).Help(own.help).Register(registry).Add(
            Merged(flow_labels, own.labels));
  }
  if (counts.by_reason.name.empty()) return;
  family_ = &prometheus::BuildCounter()
                 .Name(counts.by_reason.name)
                 .Help(counts.by_reason.help)
                 .Register(registry);
  for (const std::string& reason : counts.declared) {
    if (counters_.contains(reason)) continue;
    prometheus::Labels labels = labels_;
    labels["reason"] = reason;
    counters_[reason] = &family_->Add(labels);
  }
}

prometheus::Counter& FlowMetrics::ByReason::Get(std::string_view reason) {
  absl::MutexLock lock(&mu_);
  auto it = counters_.find(AsAbsl(reason));
  if (it != counters_.end()) return *it->second;
  // A reason neither declared as a counter of its own nor countable in a
  // family is a programming error; a release build counts it unexported
  // rather than dereference nothing.
  assert(family_ != nullptr);
  if (family_ == nullptr) return unexported_;
  prometheus::Labels labels = labels_;
  labels["reason"] = std::string(reason);
  prometheus::Counter* counter = &family_->Add(labels);
  counters_.emplace(AsAbsl(reason), counter);
  return *counter;
}

FlowMetrics::FlowMetrics(prometheus::Registry& registry, const FlowSpec& spec)
    : rejected_(registry, spec.labels, spec.rejected),
      dropped_(registry, spec.labels, spec.dropped) {
  if (spec.accepted) {
    accepted_ = &prometheus::BuildCounter()
                     .Name(spec.accepted->name)
                     .Help(spec.accepted->help)
                     .Register(registry)
                     .Add(Merged(spec.labels, spec.accepted->labels));
  }
  if (spec.in_flight) {
    in_flight_ = &prometheus::BuildGauge()
                      .Name(spec.in_flight->name)
                      .Help(spec.in_flight->help)
                      .Register(registry)
                      .Add(Merged(spec.labels, spec.in_flight->labels));
  }
}

}  // namespace vitals::metrics
