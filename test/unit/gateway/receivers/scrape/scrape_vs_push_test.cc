// A PrometheusReporter endpoint scraped and the same process's text pushed
// through the Pushgateway API give the same aggregates: counters differenced
// alike, gauges, meters and summaries folded alike, interval after
// interval. What may differ is what the aggregator leaves to the order in
// which it folds sources (and the sources' names differ: `scrape:…` vs
// `push:…`): which of several equally recent values is `last`, the order of
// `instances`, the last bits of a floating-point sum. And the time of
// `last`: a scrape is stamped when it arrives, a push when its group is
// replayed at the end of the interval.

#include <gmock/gmock.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gateway/aggregate/aggregator.h"
#include "gateway/receivers/pushgateway/receiver.h"
#include "gateway/receivers/scrape/scrape_ingest.h"
#include "prometheus/registry.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"
#include "sim/scrape.h"

namespace vitals::gateway {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;  // a multiple of 10 s
constexpr int64_t kInterval = 10'000;

AggregatorConfig Config() {
  AggregatorConfig config;
  config.gateway = "node-00";
  config.cluster = "default";
  return config;
}

// Compares two batches up to fold order; `last` only where one source
// folded (then it is unambiguous).
void ExpectSameBatch(const v1::MetricBatch& push, const v1::MetricBatch& scrape, int interval) {
  using google::protobuf::util::DefaultFieldComparator;
  using google::protobuf::util::MessageDifferencer;
  const google::protobuf::Descriptor* series = v1::SeriesAggregate::descriptor();
  DefaultFieldComparator comparator;
  comparator.set_float_comparison(DefaultFieldComparator::APPROXIMATE);
  comparator.set_treat_nan_as_equal(true);
  comparator.SetFractionAndMargin(series->FindFieldByName("sum"), 1e-12, 1e-9);
  comparator.SetFractionAndMargin(series->FindFieldByName("sum_squares"), 1e-12, 1e-9);
  MessageDifferencer differ;
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  differ.set_field_comparator(&comparator);
  differ.TreatAsSet(series->FindFieldByName("instances"));
  differ.IgnoreField(series->FindFieldByName("last"));
  differ.IgnoreField(series->FindFieldByName("last_timestamp_ms"));
  EXPECT_TRUE(differ.Compare(push, scrape))
      << "interval " << interval << " job " << push.job_name() << ":\n"
      << diff.substr(0, 4000);
  if (push.series_size() != scrape.series_size()) return;
  for (int i = 0; i < push.series_size(); ++i) {
    if (push.series(i).count() != 1) continue;
    EXPECT_EQ(push.series(i).last(), scrape.series(i).last()) << push.series(i).metric();
  }
}

TEST(ScrapeVsPushTest, SameTextSameAggregates) {
  sim::FleetSpec spec;
  spec.jobs = 3;
  spec.nodes = 1;
  spec.start_ms = kStart;
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();

  Aggregator pushed(Config());
  Aggregator scraped(Config());
  prometheus::Registry registry;
  IngestMetrics metrics(registry);
  PushGroupStore store(absl::Seconds(30));
  int64_t now_ms = 0;
  ProcessJobTable push_processes(ProcessJobTable::Options{});
  ProcessJobTable scrape_processes(ProcessJobTable::Options{});
  // A pushed cluster counts as a scrape target's does: the same samples.
  PushgatewayReceiver receiver(
      &store, &push_processes, &metrics, 64 << 20, [&] { return now_ms; },
      PushClusterOptions{Config().cluster, /*pushed_overrides=*/true});
  ScrapeIngester ingester;

  std::vector<sim::Push> pushes;
  std::vector<sim::ScrapeBody> scrapes;
  size_t series_compared = 0;
  // Three intervals: the first baselines the counters, the next two give
  // their deltas.
  for (int i = 0; i < 3; ++i) {
    const int64_t interval_start = kStart + i * kInterval;
    now_ms = interval_start + 4'000;
    fleet->AdvanceTo(now_ms);
    sim::RenderPushes(*fleet, &pushes);
    sim::RenderScrapes(*fleet, &scrapes);
    ASSERT_EQ(pushes.size(), scrapes.size());
    for (const sim::Push& push : pushes) {
      http::Response r = receiver.Handle(
          http::Request(push.method, push.path, push.body, {{"Content-Type", push.content_type}}));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    for (size_t p = 0; p < scrapes.size(); ++p) {
      const sim::SimJob& job = fleet->jobs()[scrapes[p].job];
      ScrapeTarget target;
      target.address = absl::StrCat("10.1.0.", p, ":9249");
      target.labels = {{"cluster", job.cluster}, {"job_name", job.name}};
      absl::StatusOr<size_t> n = ingester.Ingest(
          target, scrapes[p].body, TextFormat::kPrometheus004, now_ms, scrape_processes, scraped);
      ASSERT_TRUE(n.ok()) << n.status();
    }
    const int64_t boundary = interval_start + kInterval;
    receiver.Replay(pushed, boundary - 1);
    std::vector<v1::MetricBatch> from_push = pushed.Flush(boundary);
    std::vector<v1::MetricBatch> from_scrape = scraped.Flush(boundary);
    ASSERT_EQ(from_push.size(), 3u);
    ASSERT_EQ(from_scrape.size(), from_push.size());
    for (size_t b = 0; b < from_push.size(); ++b) {
      ExpectSameBatch(from_push[b], from_scrape[b], i);
      series_compared += from_push[b].series_size();
    }
  }
  EXPECT_GT(series_compared, 100u);
  EXPECT_EQ(pushed.stats().active_series, scraped.stats().active_series);
}

}  // namespace
}  // namespace vitals::gateway
