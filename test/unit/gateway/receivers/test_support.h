#pragma once

// Helpers for the receiver tests: a recording sink that receivers may call
// from their own threads, a wait with a deadline, and a reader for the
// self-metrics registry.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "prometheus/registry.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {

class LockedRecordingSink : public FlinkSampleSink {
 public:
  void OnFlinkSample(const FlinkSample& sample) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !blocked_; });
    inner_.OnFlinkSample(sample);
  }

  // While blocked, the receiving thread stops in OnFlinkSample.
  void Block() {
    std::lock_guard<std::mutex> lock(mu_);
    blocked_ = true;
  }
  void Unblock() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      blocked_ = false;
    }
    cv_.notify_all();
  }

  std::vector<RecordedSample> samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return inner_.samples;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return inner_.samples.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  RecordingSink inner_;
};

// Polls `done` until it holds or `timeout` passes; returns its last answer.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The value of the counter `name` with exactly these labels; 0 when absent.
inline double CounterValue(prometheus::Registry& registry, const std::string& name,
                           const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const prometheus::ClientMetric::Label& l : metric.label) got[l.name] = l.value;
      if (got == labels) return metric.counter.value;
    }
  }
  return 0;
}

}  // namespace vitals::gateway
