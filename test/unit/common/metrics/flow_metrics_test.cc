#include "common/metrics/flow_metrics.h"

#include <string>
#include <thread>
#include <vector>

#include "common/metrics/text_exposition.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vitals::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

FlowSpec SinkLikeSpec() {
  FlowSpec spec;
  spec.labels = {{"format", "statsd"}};
  spec.accepted = SeriesName{"t_accepted_total", "Accepted.", {}};
  spec.rejected.by_reason = {"t_rejected_total", "Rejected.", {}};
  spec.rejected.declared = {"parse_error"};
  spec.rejected.own["overload"] = {"t_overload_total", "Overloaded.", {}};
  spec.dropped.by_reason = {"t_records_total", "Records.", {{"result", "failed"}}};
  spec.in_flight = SeriesName{"t_in_flight_bytes", "Queued.", {}};
  return spec;
}

TEST(FlowMetricsTest, DeclaredChildrenExportZeroBeforeTheFirstEvent) {
  prometheus::Registry registry;
  FlowMetrics flow(registry, SinkLikeSpec());
  const std::string text = RenderText(registry);
  EXPECT_THAT(text, HasSubstr("t_accepted_total{format=\"statsd\"} 0"));
  EXPECT_THAT(text, HasSubstr("t_rejected_total{format=\"statsd\",reason=\"parse_error\"} 0"));
  EXPECT_THAT(text, HasSubstr("t_overload_total{format=\"statsd\"} 0"));
  EXPECT_THAT(text, HasSubstr("t_in_flight_bytes{format=\"statsd\"} 0"));
  // Undeclared reasons appear on their first count only.
  EXPECT_THAT(text, Not(HasSubstr("t_records_total{")));
}

TEST(FlowMetricsTest, CountsGoToTheirReasonAndTheFlowsLabels) {
  prometheus::Registry registry;
  FlowMetrics flow(registry, SinkLikeSpec());
  flow.Accepted(3);
  flow.Rejected("parse_error");
  flow.Rejected("too_large", 2);
  flow.Rejected("overload", 4);
  flow.Dropped("queue_full");
  flow.InFlight(512);
  const std::string text = RenderText(registry);
  EXPECT_THAT(text, HasSubstr("t_accepted_total{format=\"statsd\"} 3"));
  EXPECT_THAT(text, HasSubstr("t_rejected_total{format=\"statsd\",reason=\"parse_error\"} 1"));
  EXPECT_THAT(text, HasSubstr("t_rejected_total{format=\"statsd\",reason=\"too_large\"} 2"));
  // A reason with a family of its own is not also a `reason` child.
  EXPECT_THAT(text, HasSubstr("t_overload_total{format=\"statsd\"} 4"));
  EXPECT_THAT(text, Not(HasSubstr("reason=\"overload\"")));
  EXPECT_THAT(
      text,
      HasSubstr("t_records_total{format=\"statsd\",reason=\"queue_full\",result=\"failed\"} 1"));
  EXPECT_THAT(text, HasSubstr("t_in_flight_bytes{format=\"statsd\"} 512"));
  EXPECT_EQ(flow.rejected("too_large").Value(), 2);
}

TEST(FlowMetricsTest, TwoFlowsShareFamiliesByTheirLabels) {
  prometheus::Registry registry;
  FlowSpec statsd = SinkLikeSpec();
  FlowSpec influx = SinkLikeSpec();
  influx.labels = {{"format", "influx"}};
  FlowMetrics a(registry, statsd);
  FlowMetrics b(registry, influx);
  a.Accepted(1);
  b.Accepted(7);
  const std::string text = RenderText(registry);
  EXPECT_THAT(text, HasSubstr("t_accepted_total{format=\"statsd\"} 1"));
  EXPECT_THAT(text, HasSubstr("t_accepted_total{format=\"influx\"} 7"));
}

TEST(FlowMetricsTest, ReasonsFirstSeenOnManyThreadsCountEveryEvent) {
  prometheus::Registry registry;
  FlowMetrics flow(registry, SinkLikeSpec());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&flow] {
      for (int i = 0; i < 1000; ++i) flow.Dropped(i % 2 == 0 ? "even" : "odd");
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(flow.dropped("even").Value(), 2000);
  EXPECT_EQ(flow.dropped("odd").Value(), 2000);
}

}  // namespace
}  // namespace vitals::metrics
