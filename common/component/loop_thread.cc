#include "common/component/loop_thread.h"

#include <utility>

namespace vitals {

LoopThread::LoopThread(std::string name, const TimeSource* time, Step step, int64_t first_run_ms)
    : name_(std::move(name)), time_(time), step_(std::move(step)), first_run_ms_(first_run_ms) {}

LoopThread::~LoopThread() { (void)Shutdown(absl::InfiniteFuture()); }

absl::Status LoopThread::Start() {
  if (thread_.joinable() || stop_.stopped()) {
    return absl::FailedPreconditionError("started once");
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

absl::Status LoopThread::Shutdown(absl::Time /*deadline*/) {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
  return absl::OkStatus();
}

void LoopThread::Run() {
  int64_t next_ms = first_run_ms_;
  while (!stop_.stopped()) {
    if (next_ms > 0 && !time_->WaitUntil(next_ms, stop_)) break;
    next_ms = step_();
  }
}

}  // namespace vitals
