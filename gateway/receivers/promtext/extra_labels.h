#pragma once

// Labels that come with the sender rather than the sample: a Pushgateway
// group's grouping key, a scrape target's service-discovery labels. The
// sink adds them to every sample before handing it on. Which side wins a
// clash follows the protocol being imitated: the Pushgateway's grouping
// labels override the pushed ones, a scrape with `honor_labels: true`
// keeps the sample's.

#include <algorithm>
#include <span>
#include <vector>

#include "gateway/receivers/sample.h"

namespace vitals::gateway {

class ExtraLabels : public SampleSink {
 public:
  enum class Clash { kSampleWins, kExtraWins };

  ExtraLabels(std::span<const LabelView> extra, Clash clash, SampleSink* next)
      : extra_(extra), clash_(clash), next_(next) {}

  void OnSample(const SampleView& sample) override {
    if (extra_.empty()) {
      next_->OnSample(sample);
      return;
    }
    labels_.clear();
    for (const LabelView& label : sample.labels) {
      if (clash_ == Clash::kExtraWins && Has(extra_, label.name)) continue;
      labels_.push_back(label);
    }
    for (const LabelView& label : extra_) {
      if (clash_ == Clash::kSampleWins && Has(sample.labels, label.name)) continue;
      labels_.push_back(label);
    }
    SampleView out = sample;
    out.labels = labels_;
    next_->OnSample(out);
  }

 private:
  static bool Has(std::span<const LabelView> labels, std::string_view name) {
    return std::any_of(labels.begin(), labels.end(),
                       [&](const LabelView& l) { return l.name == name; });
  }

  std::span<const LabelView> extra_;
  Clash clash_;
  SampleSink* next_;
  std::vector<LabelView> labels_;
};

}  // namespace vitals::gateway
