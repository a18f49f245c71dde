#include "test/integration/support/interval_feeder.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"

namespace vitals::testing {
namespace {

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

}  // namespace

IntervalFeeder::IntervalFeeder(kafka::KafkaProducer* producer, std::string topic,
                               int64_t interval_ms,
                               const std::vector<scorer::testing::SyntheticJob>& jobs,
                               Decorate decorate)
    : producer_(producer),
      topic_(std::move(topic)),
      interval_ms_(interval_ms),
      decorate_(std::move(decorate)) {
  for (const scorer::testing::SyntheticJob& job : jobs) jobs_[job.job_name] = job;
}

void IntervalFeeder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void IntervalFeeder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IntervalFeeder::Change(const std::string& job_name,
                            const std::function<void(scorer::testing::SyntheticJob& job)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  change(jobs_.at(job_name));
}

void IntervalFeeder::Run() {
  int64_t next = (NowMs() / interval_ms_ + 1) * interval_ms_;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const auto wake = std::chrono::system_clock::time_point(std::chrono::milliseconds(next));
    if (cv_.wait_until(lock, wake, [this] { return stop_; })) break;
    // Behind (a stalled machine): skip to the interval that just ended.
    if (NowMs() - next > interval_ms_) next = NowMs() / interval_ms_ * interval_ms_;
    std::vector<v1::MetricBatch> batches;
    for (const auto& [name, job] : jobs_) {
      for (v1::MetricBatch& batch : scorer::testing::MakeInterval(job, next - interval_ms_)) {
        batches.push_back(std::move(batch));
      }
    }
    lock.unlock();
    for (v1::MetricBatch& batch : batches) {
      if (decorate_) decorate_(batch);
      if (producer_->Produce(topic_, batch.job_name(), batch.SerializeAsString(), 0).ok()) {
        ++produced_;
      }
    }
    producer_->Poll(absl::ZeroDuration());
    next += interval_ms_;
    lock.lock();
  }
}

}  // namespace vitals::testing
