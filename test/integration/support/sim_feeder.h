#pragma once

// Runs a simulated Flink fleet on the wall clock and publishes its jobs'
// MetricBatches to a topic as a gateway would, until stopped: just before
// each interval boundary the fleet's reporters push to an in-process
// gateway (SimGateway), which closes the interval at the boundary. The
// scorer's integration tests drive their replicas with it. Jobs can be
// redeployed (migrated) and faulted while it runs.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/kafka/producer.h"
#include "sim/fault.h"
#include "sim/fleet.h"
#include "test/integration/support/sim_gateway.h"

namespace vitals::testing {

class SimFeeder {
 public:
  // `producer` must outlive the feeder; `interval_ms` is the gateway's.
  SimFeeder(kafka::KafkaProducer* producer, std::string topic, int64_t interval_ms,
            sim::Fleet fleet);
  ~SimFeeder() { Stop(); }
  SimFeeder(const SimFeeder&) = delete;
  SimFeeder& operator=(const SimFeeder&) = delete;

  void Start();
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // sim::Fleet's, now (wall clock).
  absl::Status Redeploy(int job_index, std::string_view cluster) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status SetFault(int job_index, sim::FaultKind kind, bool on) ABSL_LOCKS_EXCLUDED(mu_);

  // By job index, as the gateway names them in its batches.
  const std::vector<std::string>& job_names() const { return job_names_; }
  // Batches the producer accepted.
  int64_t produced() const { return produced_.load(); }
  // Pushes the gateway refused: none, unless the simulator and the
  // receiver disagree on the reporter's format.
  int64_t refused() const { return refused_.load(); }

 private:
  void Run();
  // Waits until `unix_ms`; false once stopped.
  bool WaitUntil(int64_t unix_ms) ABSL_LOCKS_EXCLUDED(mu_);

  kafka::KafkaProducer* const producer_;
  const std::string topic_;
  const int64_t interval_ms_;
  const std::vector<std::string> job_names_;
  absl::Mutex mu_;
  sim::Fleet fleet_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  SimGateway gateway_;  // the feeding thread's
  std::atomic<int64_t> produced_{0};
  std::atomic<int64_t> refused_{0};
  std::thread thread_;
};

}  // namespace vitals::testing
