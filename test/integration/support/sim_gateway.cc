#include "test/integration/support/sim_gateway.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace vitals::testing {
namespace {

gateway::AggregatorConfig Aggregation(int64_t interval_ms) {
  gateway::AggregatorConfig c;
  c.gateway = "node-00";
  // Only for pushes that name no cluster: the simulator's all do.
  c.cluster = "k8s-test";
  c.interval = absl::Milliseconds(interval_ms);
  return c;
}

}  // namespace

std::string ReportedJobName(std::string_view flink_job_name) {
  std::string name(flink_job_name);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':') c = '_';
  }
  return name;
}

std::vector<sim::Push> RenderReport(sim::Fleet& fleet, int64_t now_ms) {
  fleet.AdvanceTo(now_ms);
  std::vector<sim::Push> pushes;
  sim::RenderPushes(fleet, &pushes);
  sim::AppendPushDeletes(fleet, fleet.TakeRetired(), &pushes);
  return pushes;
}

SimGateway::SimGateway(int64_t interval_ms)
    : ingest_(registry_),
      store_(absl::Seconds(30)),
      processes_(gateway::ProcessJobTable::Options{}),
      receiver_(
          &store_, &processes_, &ingest_, 64 << 20, [this] { return now_ms_; },
          gateway::PushClusterOptions{Aggregation(interval_ms).cluster,
                                      /*pushed_overrides=*/true}),
      aggregator_(Aggregation(interval_ms)) {}

absl::Status SimGateway::Push(const sim::Push& push, int64_t now_ms) {
  now_ms_ = now_ms;
  const http::Response r = receiver_.Handle(
      http::Request(push.method, push.path, push.body, {{"Content-Type", push.content_type}}));
  if (r.status < 300) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(push.method, " ", push.path, ": ", r.status, " ", r.body));
}

std::vector<v1::MetricBatch> SimGateway::Close(int64_t boundary_ms) {
  // Pushed groups are replayed as of the last millisecond of the interval,
  // as Gateway::FlushInterval does.
  receiver_.Replay(aggregator_, boundary_ms - 1);
  std::vector<v1::MetricBatch> batches = aggregator_.Flush(boundary_ms);
  processes_.Annotate(boundary_ms, &batches);
  return batches;
}

}  // namespace vitals::testing
