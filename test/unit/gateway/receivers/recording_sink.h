#pragma once

// A FlinkSampleSink that keeps owned copies of what it got.

#include <map>
#include <string>
#include <vector>

#include "gateway/flink_sample.h"

namespace vitals::gateway {

struct RecordedSample {
  v1::Scope scope;
  std::string metric, job_id, job_name, quantile, source, cluster;
  std::map<std::string, std::string> labels;
  double value;
  SampleType type;
  int64_t timestamp_ms;
};

class RecordingSink : public FlinkSampleSink {
 public:
  void OnFlinkSample(const FlinkSample& s) override {
    RecordedSample r{s.scope,
                     std::string(s.metric),
                     std::string(s.job_id),
                     std::string(s.job_name),
                     std::string(s.quantile),
                     std::string(s.source),
                     std::string(s.cluster),
                     {},
                     s.value,
                     s.type,
                     s.timestamp_ms};
    for (const LabelView& l : s.labels) r.labels[std::string(l.name)] = std::string(l.value);
    samples.push_back(std::move(r));
  }
  const RecordedSample* Find(std::string_view metric) const {
    for (const auto& s : samples) {
      if (s.metric == metric) return &s;
    }
    return nullptr;
  }
  std::vector<RecordedSample> samples;
};

}  // namespace vitals::gateway
