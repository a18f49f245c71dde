#include "test/integration/support/sim_feeder.h"

#include <cstdio>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vitals::testing {
namespace {

// How long before a boundary the reporters push: enough to render and
// handle every push before the interval closes.
constexpr int64_t kPushLeadMs = 100;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

std::vector<std::string> JobNames(const sim::Fleet& fleet) {
  std::vector<std::string> names;
  for (const sim::SimJob& job : fleet.jobs()) names.push_back(ReportedJobName(job.name));
  return names;
}

}  // namespace

SimFeeder::SimFeeder(kafka::KafkaProducer* producer, std::string topic, int64_t interval_ms,
                     sim::Fleet fleet)
    : producer_(producer),
      topic_(std::move(topic)),
      interval_ms_(interval_ms),
      job_names_(JobNames(fleet)),
      fleet_(std::move(fleet)),
      gateway_(interval_ms) {}

void SimFeeder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SimFeeder::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

// The fleet is brought to the wall clock first, so that the change happens
// when the caller says it does (a migration's `at`), not at the last push.
absl::Status SimFeeder::Redeploy(int job_index, std::string_view cluster) {
  absl::MutexLock lock(&mu_);
  fleet_.AdvanceTo(NowMs());
  return fleet_.Redeploy(job_index, cluster);
}

absl::Status SimFeeder::SetFault(int job_index, sim::FaultKind kind, bool on) {
  absl::MutexLock lock(&mu_);
  fleet_.AdvanceTo(NowMs());
  return fleet_.SetFault(job_index, kind, on);
}

bool SimFeeder::WaitUntil(int64_t unix_ms) {
  absl::MutexLock lock(&mu_);
  return !mu_.AwaitWithDeadline(absl::Condition(&stop_), absl::FromUnixMillis(unix_ms));
}

void SimFeeder::Run() {
  int64_t boundary = (NowMs() / interval_ms_ + 1) * interval_ms_;
  while (WaitUntil(boundary - kPushLeadMs)) {
    std::vector<sim::Push> pushes;
    {
      absl::MutexLock lock(&mu_);
      pushes = RenderReport(fleet_, NowMs());
    }
    for (const sim::Push& push : pushes) {
      if (absl::Status s = gateway_.Push(push, NowMs()); !s.ok()) {
        ++refused_;
        std::fprintf(stderr, "SimFeeder: %s\n", s.ToString().c_str());
      }
    }
    if (!WaitUntil(boundary)) break;
    for (const v1::MetricBatch& batch : gateway_.Close(boundary)) {
      if (producer_->Produce(topic_, batch.job_name(), batch.SerializeAsString(), 0).ok()) {
        ++produced_;
      }
    }
    producer_->Poll(absl::ZeroDuration());
    boundary += interval_ms_;
    // Behind (a stalled machine): on to the next boundary still ahead.
    if (NowMs() > boundary - kPushLeadMs) boundary = (NowMs() / interval_ms_ + 1) * interval_ms_;
  }
}

}  // namespace vitals::testing
