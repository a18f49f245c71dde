// A state record is brought under its bound by dropping the oldest history
// points first, then the oldest migrations, no more than needed; and the
// writer does so before every record, counting the records it trimmed.

#include "scorer/state/record_fit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "scorer/state/state_writer.h"

namespace vitals::scorer {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

v1::JobState LargeState(int points, int migrations) {
  v1::JobState state;
  state.set_job_name("orders");
  for (int i = 0; i < points; ++i) {
    v1::HistoryPoint* p = state.add_history();
    p->set_at_ms(kT0 + i * 60'000);
    p->set_score(7.5);
    p->set_cluster("k8s-prod-eu");
    p->set_job_id("0123456789abcdef0123456789abcdef");
    for (const char* d : {"latency", "checkpoint", "restarts", "gc", "cpu", "backpressure"}) {
      (*p->mutable_dimensions())[d] = 8;
    }
  }
  for (int i = 0; i < migrations; ++i) {
    v1::Migration* m = state.add_migrations();
    m->set_from(std::string(128, 'y'));
    m->set_to(std::string(128, 'k'));
    m->set_at(kT0 + i);
  }
  return state;
}

TEST(RecordFitTest, ARecordThatFitsIsLeftAlone) {
  v1::JobState state = LargeState(10, 2);
  const FitOutcome fit = FitRecord(state, state.ByteSizeLong());
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.history_dropped, 0u);
  EXPECT_EQ(state.history_size(), 10);
}

TEST(RecordFitTest, TheOldestHistoryGoesFirstAndNoMoreThanNeeded) {
  const v1::JobState original = LargeState(720, 32);
  const size_t max_bytes = original.ByteSizeLong() / 2;
  v1::JobState state = original;
  const FitOutcome fit = FitRecord(state, max_bytes);
  EXPECT_TRUE(fit.fits);
  EXPECT_GT(fit.history_dropped, 0u);
  EXPECT_EQ(fit.migrations_dropped, 0u);
  EXPECT_LE(state.ByteSizeLong(), max_bytes);
  EXPECT_EQ(state.migrations_size(), 32);
  ASSERT_EQ(state.history_size(), 720 - static_cast<int>(fit.history_dropped));
  // The newest points stay, and one more would not have fitted.
  EXPECT_EQ(state.history(state.history_size() - 1).at_ms(), original.history(719).at_ms());
  EXPECT_EQ(state.history(0).at_ms(), original.history(fit.history_dropped).at_ms());
  *state.mutable_history()->Add() = original.history(0);
  EXPECT_GT(state.ByteSizeLong(), max_bytes);
}

TEST(RecordFitTest, MigrationsGoOnlyWhenNoHistoryIsLeft) {
  v1::JobState state = LargeState(100, 32);
  v1::JobState migrations_only = LargeState(0, 32);
  const size_t max_bytes = migrations_only.ByteSizeLong() - 1000;
  const FitOutcome fit = FitRecord(state, max_bytes);
  EXPECT_TRUE(fit.fits);
  EXPECT_EQ(fit.history_dropped, 100u);
  EXPECT_GT(fit.migrations_dropped, 0u);
  EXPECT_LE(state.ByteSizeLong(), max_bytes);
  // The newest migration is what a verdict reads: it stays.
  EXPECT_EQ(state.migrations(state.migrations_size() - 1).at(), kT0 + 31);
}

TEST(RecordFitTest, WhatCannotFitSaysSo) {
  v1::JobState state = LargeState(5, 5);
  state.mutable_latest()->set_job_name(std::string(10'000, 'x'));
  const FitOutcome fit = FitRecord(state, 5'000);
  EXPECT_FALSE(fit.fits);
  EXPECT_EQ(state.history_size(), 0);
  EXPECT_EQ(state.migrations_size(), 0);
}

class CapturingSink : public StateSink {
 public:
  absl::Status Write(int32_t, std::string_view key,
                     std::optional<std::string_view> value) override {
    sizes.push_back(key.size() + (value ? value->size() : 0));
    if (value) EXPECT_TRUE(last.ParseFromString(std::string(*value)));
    return absl::OkStatus();
  }
  std::vector<size_t> sizes;
  v1::JobState last;
};

TEST(RecordFitTest, TheWriterTrimsEveryRecordToItsBoundAndCountsIt) {
  CapturingSink sink;
  prometheus::Registry metrics;
  const v1::JobState large = LargeState(2000, 32);
  ASSERT_GT(large.ByteSizeLong(), 200'000u);
  StateWriter writer(
      &sink, absl::Seconds(30),
      [&](const std::string&) -> std::optional<OwnedState> {
        return OwnedState{1, large};
      },
      [] { return kT0; }, StateWriterLimits{.max_record_bytes = 200'000, .metrics = &metrics});
  ASSERT_TRUE(writer.PublishNow("tenant/orders").ok());
  ASSERT_EQ(sink.sizes.size(), 1u);
  EXPECT_LE(sink.sizes[0], 200'000u);
  EXPECT_GT(sink.sizes[0], 190'000u) << "no more trimmed than needed";
  EXPECT_EQ(sink.last.migrations_size(), 32);
  EXPECT_EQ(sink.last.history(sink.last.history_size() - 1).at_ms(), large.history(1999).at_ms());
  EXPECT_EQ(writer.trimmed(), 1u);
  double history = -1, migrations = -1;
  for (const prometheus::MetricFamily& f : metrics.Collect()) {
    if (f.name != "vitals_scorer_state_records_trimmed_total") continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      (m.label[0].value == "history" ? history : migrations) = m.counter.value;
    }
  }
  EXPECT_EQ(history, 1);
  EXPECT_EQ(migrations, 0);
}

}  // namespace
}  // namespace vitals::scorer
