#pragma once

// A SampleSink that keeps owned copies of what it was given, for assertions
// after Parse returns (the views themselves die with the OnSample call).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gateway/receivers/sample.h"

namespace vitals::gateway::testing {

struct RecordedSample {
  std::string name;
  std::string family;
  SampleType type = SampleType::kUntyped;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;

  const std::string* Label(const std::string& label_name) const {
    for (const auto& [n, v] : labels) {
      if (n == label_name) return &v;
    }
    return nullptr;
  }
};

class RecordingSink : public SampleSink {
 public:
  void OnSample(const SampleView& sample) override {
    RecordedSample& r = samples.emplace_back();
    r.name = std::string(sample.name);
    r.family = std::string(sample.family);
    r.type = sample.type;
    for (const LabelView& l : sample.labels) r.labels.emplace_back(l.name, l.value);
    r.value = sample.value;
    r.has_timestamp = sample.has_timestamp;
    r.timestamp_ms = sample.timestamp_ms;
  }

  std::vector<RecordedSample> samples;
};

}  // namespace vitals::gateway::testing
