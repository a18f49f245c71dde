#pragma once

// Publishes synthetic jobs' MetricBatches to a topic just after each
// interval ends, on the wall clock, as the gateways would, until stopped:
// the scorer's integration tests drive their replicas with it. A job can
// be changed while it runs (moved to another cluster, degraded).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka/producer.h"
#include "test/unit/scorer/model/synthetic_job.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::testing {

class IntervalFeeder {
 public:
  // Applied to each batch before it is produced (labels, say).
  using Decorate = std::function<void(v1::MetricBatch& batch)>;
  // `producer` must outlive the feeder; every job has `interval_ms`.
  IntervalFeeder(kafka::KafkaProducer* producer, std::string topic, int64_t interval_ms,
                 const std::vector<scorer::testing::SyntheticJob>& jobs,
                 Decorate decorate = nullptr);
  ~IntervalFeeder() { Stop(); }
  IntervalFeeder(const IntervalFeeder&) = delete;
  IntervalFeeder& operator=(const IntervalFeeder&) = delete;

  void Start();
  void Stop();
  // Changes `job_name` from the next interval on.
  void Change(const std::string& job_name,
              const std::function<void(scorer::testing::SyntheticJob& job)>& change);
  // Batches the producer accepted.
  int64_t produced() const { return produced_.load(); }

 private:
  void Run();

  kafka::KafkaProducer* const producer_;
  const std::string topic_;
  const int64_t interval_ms_;
  const Decorate decorate_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, scorer::testing::SyntheticJob> jobs_;  // guarded by mu_
  bool stop_ = false;                                          // guarded by mu_
  std::atomic<int64_t> produced_{0};
  std::thread thread_;
};

}  // namespace vitals::testing
