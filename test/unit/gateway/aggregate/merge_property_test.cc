// The property that makes per-node aggregation lossless: for any fleet whose
// source series are spread over several gateways (each series on exactly
// one), merging the gateways' aggregates gives what one aggregator fed every
// sample would have produced.

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/aggregate/series_merge.h"
#include "gateway/aggregate/aggregator.h"
#include "gtest/gtest.h"
#include "test/unit/gateway/aggregate/test_samples.h"

namespace vitals::gateway {
namespace {

using testing::OwnedSample;
using testing::Send;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kInterval = 10'000;

// A source series and the gateway it reports to.
struct Series {
  OwnedSample sample;  // identity; value and time set per emission
  int gateway = 0;
  double cumulative = 0;  // counters
};

class Fleet {
 public:
  Fleet(uint32_t seed, int gateways) : rng_(seed), gateways_(gateways) {
    const int jobs = Uniform(1, 3);
    for (int j = 0; j < jobs; ++j) AddJob("job-" + std::to_string(j));
  }

  // Every sample of `intervals` intervals, in arrival order.
  std::vector<std::pair<int, OwnedSample>> Samples(int intervals) {
    std::vector<std::pair<int, OwnedSample>> out;
    int64_t clock = 0;  // unique timestamps keep `last` free of ties
    for (int i = 0; i < intervals; ++i) {
      const int64_t start = kT0 + i * kInterval;
      std::vector<std::pair<int, OwnedSample>> interval;
      for (Series& series : series_) {
        if (Uniform(0, 9) == 0) continue;  // silent this interval
        const int emissions = Uniform(1, 3);
        for (int e = 0; e < emissions; ++e) {
          OwnedSample s = series.sample;
          s.value = NextValue(series);
          interval.emplace_back(series.gateway, std::move(s));
        }
      }
      std::shuffle(interval.begin(), interval.end(), rng_);
      for (auto& [gateway, s] : interval) {
        s.timestamp_ms = start + (++clock % kInterval);
        out.emplace_back(gateway, std::move(s));
      }
      // A pod restart: some series of one source vanish, new ones appear.
      if (Uniform(0, 2) == 0) RestartPod();
    }
    return out;
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  // A summary's quantiles are one source series: they travel together.
  int GatewayOf(const OwnedSample& s) {
    std::string key = absl::StrCat(s.source, "|", s.metric);
    for (const auto& [name, value] : s.labels) absl::StrAppend(&key, "|", name, "=", value);
    auto [it, inserted] = gateway_of_.try_emplace(key, 0);
    if (inserted) it->second = Uniform(0, gateways_ - 1);
    return it->second;
  }

  void Add(OwnedSample s) {
    Series series;
    series.gateway = GatewayOf(s);
    series.cumulative = std::floor(Real(0, 1e6));
    series.sample = std::move(s);
    series_.push_back(std::move(series));
  }

  void AddJob(const std::string& job) {
    const int operators = Uniform(1, 3);
    const int parallelism = Uniform(1, 6);
    const std::string job_id = "id-" + job;
    OwnedSample base;
    base.job_name = job;
    base.job_id = job_id;
    for (int tm = 0; tm < (parallelism + 1) / 2; ++tm) {
      for (std::string metric :
           {"Status_JVM_CPU_Load", "Status_JVM_GarbageCollector_G1_Young_Generation_Count"}) {
        OwnedSample s = base;
        s.scope = v1::SCOPE_TASKMANAGER;
        s.metric = metric;
        s.labels = {{"host", "node-" + std::to_string(tm)}, {"tm_id", Pod(job, tm)}};
        s.source = Pod(job, tm);
        Add(s);
      }
    }
    OwnedSample jm = base;
    jm.scope = v1::SCOPE_JOBMANAGER_JOB;
    jm.labels = {{"host", "jm"}};
    jm.source = job + "-jm";
    for (std::string metric : {"numRestarts", "lastCheckpointDuration"}) {
      jm.metric = metric;
      Add(jm);
    }
    for (int op = 0; op < operators; ++op) {
      const std::string name = "op-" + std::to_string(op);
      for (int subtask = 0; subtask < parallelism; ++subtask) {
        OwnedSample s = base;
        s.labels = {{"host", "node-" + std::to_string(subtask / 2)},
                    {"operator_name", name},
                    {"subtask_index", std::to_string(subtask)},
                    {"task_name", name},
                    {"tm_id", Pod(job, subtask / 2)}};
        s.source = Pod(job, subtask / 2);
        for (std::string metric : {"numRecordsIn", "numRecordsInPerSecond",
                                   "currentEmitEventTimeLag", "numRecordsOut"}) {
          s.metric = metric;
          Add(s);
        }
        s.metric = "checkpointAlignmentTime";
        s.type = SampleType::kSummary;
        for (std::string q : {"0.0", "0.5", "0.99", "1.0", "count"}) {
          s.quantile = q;
          Add(s);
        }
        s.type = SampleType::kGauge;
        s.quantile.clear();
        s.scope = v1::SCOPE_TASKMANAGER_JOB_TASK;
        s.labels.erase("operator_name");
        s.metric = "busyTimeMsPerSecond";
        Add(s);
      }
    }
  }

  static std::string Pod(const std::string& job, int tm) {
    return job + "-tm-" + std::to_string(tm);
  }

  double NextValue(Series& series) {
    const OwnedSample& s = series.sample;
    if (Uniform(0, 40) == 0) return std::nan("");
    const bool cumulative = s.metric == "numRecordsIn" || s.metric == "numRecordsOut" ||
                            s.metric == "numRestarts" || s.quantile == "count" ||
                            s.metric.ends_with("_Count");
    if (cumulative) {
      if (Uniform(0, 15) == 0) {
        series.cumulative = std::floor(Real(0, 100));  // reset
      } else {
        series.cumulative += std::floor(Real(0, 5000));
      }
      return series.cumulative;
    }
    if (s.metric == "currentEmitEventTimeLag") return Uniform(0, 8) == 0 ? -1 : Real(0, 6e4);
    return Real(0, 1000);
  }

  void RestartPod() {
    // Move every series of one source to a new source (and maybe another
    // gateway): the old series stop, the new ones start from a fresh count.
    const std::string old_source = series_[Uniform(0, series_.size() - 1)].sample.source;
    const std::string new_source = old_source + "-r" + std::to_string(++restarts_);
    for (Series& series : series_) {
      if (series.sample.source != old_source) continue;
      series.sample.source = new_source;
      if (series.sample.labels.contains("tm_id")) series.sample.labels["tm_id"] = new_source;
      series.gateway = GatewayOf(series.sample);
      series.cumulative = std::floor(Real(0, 10));
    }
  }

  std::mt19937 rng_;
  int gateways_;
  int restarts_ = 0;
  std::vector<Series> series_;
  std::map<std::string, int> gateway_of_;
};

using Merged = std::map<std::pair<std::string, int64_t>,  // job, interval
                        std::map<std::string, v1::SeriesAggregate>>;

void MergeBatches(const std::vector<v1::MetricBatch>& batches, Merged& into) {
  for (const v1::MetricBatch& batch : batches) {
    auto& job = into[{batch.job_name(), batch.interval_start_ms()}];
    for (const v1::SeriesAggregate& series : batch.series()) {
      aggregate::MergeInto(job[aggregate::SeriesKey(series)], series);
    }
  }
}

void ExpectClose(double want, double got, const std::string& what) {
  const double scale = std::max({1.0, std::fabs(want), std::fabs(got)});
  EXPECT_LE(std::fabs(want - got), 1e-9 * scale) << what << ": " << want << " vs " << got;
}

void ExpectSameAggregate(const v1::SeriesAggregate& want, const v1::SeriesAggregate& got,
                         const std::string& where) {
  EXPECT_EQ(want.kind(), got.kind()) << where;
  EXPECT_EQ(want.count(), got.count()) << where;
  EXPECT_EQ(want.baselined(), got.baselined()) << where;
  ExpectClose(want.sum(), got.sum(), where + " sum");
  ExpectClose(want.sum_squares(), got.sum_squares(), where + " sum_squares");
  ExpectClose(want.min(), got.min(), where + " min");
  ExpectClose(want.max(), got.max(), where + " max");
  ExpectClose(want.last(), got.last(), where + " last");
  EXPECT_EQ(want.last_timestamp_ms(), got.last_timestamp_ms()) << where;
  EXPECT_EQ(testing::Instances(want), testing::Instances(got)) << where;
  std::map<std::string, double> want_q(want.quantile_max().begin(), want.quantile_max().end());
  std::map<std::string, double> got_q(got.quantile_max().begin(), got.quantile_max().end());
  EXPECT_EQ(want_q, got_q) << where;
}

void CheckOneFleet(uint32_t seed) {
  std::mt19937 pick(seed * 7919u);
  const int gateways = std::uniform_int_distribution<int>(1, 8)(pick);
  const int intervals = std::uniform_int_distribution<int>(2, 8)(pick);
  SCOPED_TRACE(::testing::Message() << "seed " << seed << ", " << gateways << " gateways, "
                                    << intervals << " intervals");
  Fleet fleet(seed, gateways);
  auto samples = fleet.Samples(intervals);

  auto make = [&](int shards) {
    AggregatorConfig config;
    config.shards = shards;
    config.expire_after_intervals = 2;
    return std::make_unique<Aggregator>(config);
  };
  auto single = make(1);
  std::vector<std::unique_ptr<Aggregator>> split;
  for (int g = 0; g < gateways; ++g) split.push_back(make(1 + g % 5));

  Merged want;
  Merged got;
  auto flush = [&](int64_t now, bool all) {
    MergeBatches(all ? single->FlushAll(now) : single->Flush(now), want);
    for (auto& aggregator : split)
      MergeBatches(all ? aggregator->FlushAll(now) : aggregator->Flush(now), got);
  };
  int64_t flushed_to = kT0;
  for (const auto& [gateway, sample] : samples) {
    // Flush when time moves past a boundary, sometimes a little late, as a
    // real gateway's timer would: late flushes leave two intervals open.
    const int64_t boundary = (sample.timestamp_ms / kInterval) * kInterval;
    if (boundary > flushed_to && pick() % 3 != 0) {
      flush(boundary, false);
      flushed_to = boundary;
    }
    Send(*single, sample);
    Send(*split[gateway], sample);
  }
  flush(kT0 + intervals * kInterval, true);

  ASSERT_FALSE(want.empty());
  ASSERT_EQ(want.size(), got.size());
  size_t compared = 0;
  for (const auto& [job_interval, want_series] : want) {
    auto it = got.find(job_interval);
    ASSERT_NE(it, got.end()) << job_interval.first << " @ " << job_interval.second;
    const auto& got_series = it->second;
    ASSERT_EQ(want_series.size(), got_series.size()) << job_interval.first;
    for (const auto& [key, aggregate] : want_series) {
      auto match = got_series.find(key);
      ASSERT_NE(match, got_series.end()) << aggregate.ShortDebugString();
      ExpectSameAggregate(aggregate, match->second,
                          job_interval.first + "@" + std::to_string(job_interval.second) + " " +
                              aggregate.metric());
      ++compared;
    }
  }
  EXPECT_GT(compared, 0u);
}

TEST(MergePropertyTest, GatewaysMergedEqualOneAggregatorFedEverything) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    CheckOneFleet(seed);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace vitals::gateway
