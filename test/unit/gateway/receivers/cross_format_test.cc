// One simulated fleet, reported the three ways Flink can report it —
// Prometheus text (PrometheusPushGatewayReporter), StatsD (StatsDReporter)
// and Influx line protocol (InfluxdbReporter) — must normalize to the same
// Flink identities and values, for every Flink version the simulator knows.
// Where a format cannot carry something, the comparison says so and
// compares the rest. The same Prometheus text scraped from PrometheusReporter
// endpoints (the scraper's path) must equal the pushed text exactly.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <compare>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/receivers/influx/normalizer.h"
#include "gateway/receivers/influx/parser.h"
#include "gateway/receivers/promtext/normalizer.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/pushgateway/path.h"
#include "gateway/receivers/scrape/scrape_ingest.h"
#include "gateway/receivers/statsd/normalizer.h"
#include "gateway/receivers/statsd/parser.h"
#include "sim/fleet.h"
#include "sim/flink_version.h"
#include "sim/influx.h"
#include "sim/metric_catalog.h"
#include "sim/pushgateway.h"
#include "sim/scrape.h"
#include "sim/statsd.h"
#include "sim/truth.h"
#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

struct Identity {
  v1::Scope scope;
  std::string metric;
  std::string job_name;
  std::map<std::string, std::string> labels;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const Identity&) const = default;
};

struct Series {
  std::string job_id;
  // Per summary sample ("" for plain values): the values of every instance
  // sharing the identity, sorted.
  std::map<std::string, std::vector<double>> values;
};

using View = std::map<Identity, Series>;

std::string Describe(const Identity& id) {
  std::string out = absl::StrCat(v1::Scope_Name(id.scope), " ", id.metric, " job=", id.job_name);
  for (const auto& [name, value] : id.labels) absl::StrAppend(&out, " ", name, "=", value);
  return out;
}

bool NanFirst(double a, double b) {
  if (std::isnan(a)) return !std::isnan(b);
  if (std::isnan(b)) return false;
  return a < b;
}

bool Near(double a, double b, double relative) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;
  return std::fabs(a - b) <= relative * std::max(std::fabs(a), std::fabs(b));
}

v1::Scope ToProto(sim::Scope scope) {
  switch (scope) {
    case sim::Scope::kJobManager:
      return v1::SCOPE_JOBMANAGER;
    case sim::Scope::kJobManagerJob:
      return v1::SCOPE_JOBMANAGER_JOB;
    case sim::Scope::kTaskManager:
      return v1::SCOPE_TASKMANAGER;
    case sim::Scope::kTaskManagerJob:
      return v1::SCOPE_TASKMANAGER_JOB;
    case sim::Scope::kTask:
      return v1::SCOPE_TASKMANAGER_JOB_TASK;
    case sim::Scope::kOperator:
      return v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
  }
  return v1::SCOPE_UNSPECIFIED;
}

// Gauges whose value is text: booleans and strings.
std::set<std::pair<v1::Scope, std::string>> TextMetrics(sim::FlinkVersion version, bool bools) {
  std::set<std::pair<v1::Scope, std::string>> out;
  for (const sim::MetricDef& def : sim::CatalogFor(version)) {
    if (def.kind == sim::ValueKind::kString || (bools && def.kind == sim::ValueKind::kBool)) {
      out.insert({ToProto(def.scope), def.canonical});
    }
  }
  return out;
}

// The labels Flink's default scope formats put into a StatsD identifier,
// plus the keys of the key/value groups the simulator reports.
bool StatsdCarries(v1::Scope scope, const std::string& label) {
  static const std::map<v1::Scope, std::set<std::string>> kCarried = {
      {v1::SCOPE_JOBMANAGER, {"host"}},
      {v1::SCOPE_JOBMANAGER_JOB, {"host"}},
      {v1::SCOPE_TASKMANAGER, {"host", "tm_id"}},
      {v1::SCOPE_TASKMANAGER_JOB,
       {"host", "tm_id", "source_id", "operator_id", "operator_subtask_index"}},
      {v1::SCOPE_TASKMANAGER_JOB_TASK, {"host", "tm_id", "task_name", "subtask_index"}},
      {v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR,
       {"host", "tm_id", "operator_name", "subtask_index", "topic", "partition"}},
  };
  auto it = kCarried.find(scope);
  return it != kCarried.end() && it->second.contains(label);
}

struct Filter {
  // Drop these metrics altogether.
  std::set<std::pair<v1::Scope, std::string>> skip;
  // Drop NaN and ±Inf values (Influx cannot carry them).
  bool finite_only = false;
  // Keep only what a StatsD identifier carries, ':' as StatsD leaves it.
  bool statsd_labels = false;
};

View Collect(const std::vector<RecordedSample>& samples, const Filter& filter = {}) {
  View view;
  for (const RecordedSample& s : samples) {
    if (filter.skip.contains({s.scope, s.metric})) continue;
    if (filter.finite_only && !std::isfinite(s.value)) continue;
    Identity id{s.scope, s.metric, s.job_name, {}};
    for (const auto& [name, value] : s.labels) {
      if (!filter.statsd_labels) {
        id.labels[name] = value;
        continue;
      }
      if (!StatsdCarries(s.scope, name)) continue;
      id.labels[name] = value;
    }
    Series& series = view[id];
    series.job_id = s.job_id;
    series.values[s.quantile].push_back(s.value);
  }
  for (auto& [id, series] : view) {
    for (auto& [q, values] : series.values) std::sort(values.begin(), values.end(), NanFirst);
  }
  return view;
}

// `actual` must hold exactly the identities of `expected` with the same
// values; its summaries may add "mean" and "stddev", which the Prometheus
// path has no samples for.
void ExpectSameView(const View& expected, const View& actual, double relative, bool compare_job_id,
                    std::string_view what) {
  int shown = 0;
  for (const auto& [id, series] : expected) {
    auto it = actual.find(id);
    if (it == actual.end()) {
      if (shown++ < 10) ADD_FAILURE() << what << " lacks " << Describe(id);
      continue;
    }
    if (compare_job_id) {
      EXPECT_EQ(it->second.job_id, series.job_id) << Describe(id);
    }
    for (const auto& [quantile, values] : series.values) {
      auto got = it->second.values.find(quantile);
      if (got == it->second.values.end()) {
        ADD_FAILURE() << what << " lacks quantile " << quantile << " of " << Describe(id);
        continue;
      }
      ASSERT_EQ(got->second.size(), values.size()) << Describe(id);
      for (size_t i = 0; i < values.size(); ++i) {
        EXPECT_TRUE(Near(got->second[i], values[i], relative))
            << what << " " << Describe(id) << " q=" << quantile << ": " << got->second[i]
            << " vs Prometheus " << values[i];
      }
    }
    for (const auto& [quantile, values] : it->second.values) {
      if (series.values.contains(quantile)) continue;
      EXPECT_TRUE(quantile == "mean" || quantile == "stddev")
          << what << " adds quantile " << quantile << " to " << Describe(id);
    }
  }
  for (const auto& [id, series] : actual) {
    if (!expected.contains(id) && shown++ < 20) {
      ADD_FAILURE() << what << " has an identity the Prometheus path lacks: " << Describe(id);
    }
  }
}

class CrossFormatTest : public ::testing::TestWithParam<sim::FlinkVersion> {
 protected:
  static constexpr int64_t kStart = 1'700'000'000'000;

  void SetUp() override {
    sim::FleetSpec spec;
    spec.jobs = 3;
    spec.nodes = 2;
    spec.version = GetParam();
    spec.start_ms = kStart;
    auto fleet = sim::Fleet::Create(spec);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_.emplace(std::move(*fleet));
    auto statsd = StatsdNormalizer::Create({}, &statsd_attributor_);
    ASSERT_TRUE(statsd.ok()) << statsd.status();
    statsd_ = std::move(*statsd);
    for (const sim::SimJob& job : fleet_->jobs()) processes_ += job.processes.size();
  }

  // Prometheus text pushed per process, normalized as the Pushgateway
  // receiver replays it: each group one attribution batch (its process
  // series go to the jobs its job-scoped series name), the group's cluster.
  void PushPrometheus(RecordingSink* sink) {
    std::vector<sim::Push> pushes;
    sim::RenderPushes(*fleet_, &pushes);
    ASSERT_EQ(pushes.size(), processes_);
    ProcessJobTable table(ProcessJobTable::Options{});
    ProcessAttributor attributor(&table, sink);
    PromNormalizer normalizer(&attributor);
    PromTextParser parser(TextFormat::kPrometheus004);
    for (const sim::Push& push : pushes) {
      ASSERT_EQ(push.method, "PUT");
      ASSERT_TRUE(push.path.starts_with("/metrics/")) << push.path;
      absl::StatusOr<GroupingKey> key =
          ParsePushgatewayPath(push.path.substr(9), PromTextLimits().max_labels);
      ASSERT_TRUE(key.ok()) << key.status();
      std::string_view cluster;
      for (const auto& [name, value] : key->labels) {
        if (name == "cluster") cluster = value;
      }
      const std::string source = absl::StrCat("push:", key->Canonical());
      attributor.Begin(StripRandomJobNameSuffix(key->job));
      normalizer.Reset(source, fleet_->now_ms(), cluster);
      ASSERT_TRUE(parser.Parse(push.body, normalizer).ok());
      attributor.Finish(fleet_->now_ms());
    }
    EXPECT_EQ(table.counts().unattributed, 0u);
  }

  // PrometheusReporter scrape bodies, ingested as the scraper does: each
  // process its own target, whose file_sd entry names the job and cluster
  // (what a push names in its group path).
  void ScrapePrometheus(RecordingSink* sink) {
    std::vector<sim::ScrapeBody> scrapes;
    sim::RenderScrapes(*fleet_, &scrapes);
    ASSERT_EQ(scrapes.size(), processes_);
    ScrapeIngester ingester;
    ProcessJobTable table(ProcessJobTable::Options{});
    for (size_t i = 0; i < scrapes.size(); ++i) {
      const sim::SimJob& job = fleet_->jobs()[scrapes[i].job];
      ScrapeTarget target;
      target.address = absl::StrCat("10.1.0.", i, ":9249");
      target.labels = {{"cluster", job.cluster}, {"job_name", job.name}};
      absl::StatusOr<size_t> n = ingester.Ingest(
          target, scrapes[i].body, TextFormat::kPrometheus004, fleet_->now_ms(), table, *sink);
      ASSERT_TRUE(n.ok()) << n.status();
    }
  }

  // StatsD datagrams, each process its own sender as each Flink process has
  // its own reporter socket. Datagrams never mix processes, and a process's
  // report starts a datagram with its CPU load, the first metric it reports.
  // The report is one attribution batch, as one wake-up of the receiver.
  void SendStatsd() {
    statsd_attributor_.Begin();
    std::vector<sim::StatsdDatagram> datagrams;
    sim::RenderStatsd(*fleet_, &datagrams);
    StatsdParser parser;
    size_t process = 0;
    for (const sim::StatsdDatagram& datagram : datagrams) {
      const std::string_view first_line =
          std::string_view(datagram.payload).substr(0, datagram.payload.find('\n'));
      if (first_line.find(".Status.JVM.CPU.Load:") != std::string_view::npos) ++process;
      ASSERT_GT(process, 0u) << first_line;
      statsd_->BeginDatagram(absl::StrCat("10.1.0.1:", 40000 + process), fleet_->now_ms());
      parser.Parse(datagram.payload, *statsd_);
    }
    ASSERT_EQ(process, processes_);
    statsd_->ReleaseHeld(std::numeric_limits<int64_t>::max());
    statsd_attributor_.Finish(fleet_->now_ms());
  }

  void WriteInflux(RecordingSink* sink) {
    std::vector<sim::InfluxWrite> writes;
    sim::RenderInflux(*fleet_, &writes);
    ASSERT_EQ(writes.size(), processes_);
    InfluxParser parser;
    ProcessJobTable table(ProcessJobTable::Options{});
    ProcessAttributor attributor(&table, sink);
    InfluxNormalizer normalizer(&attributor);
    for (size_t i = 0; i < writes.size(); ++i) {
      ASSERT_NE(writes[i].path.find("precision=n&"), std::string::npos) << writes[i].path;
      attributor.Begin();
      normalizer.Begin(absl::StrCat("influx:10.1.0.", i), fleet_->now_ms());
      parser.Parse(writes[i].body, InfluxPrecision::kNanoseconds, normalizer);
      attributor.Finish(fleet_->now_ms());
    }
    EXPECT_EQ(table.counts().unattributed, 0u);
  }

  // Text-valued gauge instances in the current report: StatsD refuses them.
  size_t TextInstances() const {
    size_t n = 0;
    sim::ForEachSample(*fleet_, [&](const sim::TruthSample& s) {
      n += s.def->kind == sim::ValueKind::kString || s.def->kind == sim::ValueKind::kBool;
    });
    return n;
  }

  std::optional<sim::Fleet> fleet_;
  size_t processes_ = 0;
  RecordingSink statsd_sink_;
  ProcessJobTable statsd_table_{ProcessJobTable::Options{}};
  ProcessAttributor statsd_attributor_{&statsd_table_, &statsd_sink_};
  std::unique_ptr<StatsdNormalizer> statsd_;
};

TEST_P(CrossFormatTest, ThreeReportersOneIdentity) {
  const sim::VersionTraits& traits = sim::Traits(GetParam());

  // First report. StatsD's process-level lines name no job; process
  // attribution holds them to the end of the batch, by when the sender's
  // job-scoped lines named its job: none goes without.
  fleet_->AdvanceTo(kStart + 10'000);
  SendStatsd();
  size_t jobless = 0;
  for (const RecordedSample& s : statsd_sink_.samples) jobless += s.job_name.empty();
  EXPECT_EQ(jobless, 0u);
  EXPECT_EQ(statsd_table_.counts().unattributed, 0u);
  EXPECT_GT(statsd_table_.counts().attributed, 0u);
  const StatsdNormalizerStats first = statsd_->stats();
  statsd_sink_.samples.clear();

  // Second report: every path.
  fleet_->AdvanceTo(kStart + 20'000);
  RecordingSink prom_sink;
  PushPrometheus(&prom_sink);
  SendStatsd();
  RecordingSink influx_sink;
  WriteInflux(&influx_sink);
  RecordingSink scrape_sink;
  ScrapePrometheus(&scrape_sink);

  ASSERT_FALSE(prom_sink.samples.empty());
  for (const RecordedSample& s : prom_sink.samples) {
    ASSERT_NE(s.scope, v1::SCOPE_UNSPECIFIED) << s.metric;
    ASSERT_FALSE(s.job_name.empty()) << s.metric;
  }
  for (const RecordedSample& s : statsd_sink_.samples) {
    EXPECT_FALSE(s.job_name.empty()) << s.metric << " " << s.source;
  }

  // Influx carries every variable as a tag, with the job id; it cannot
  // carry string gauges (skipped) or non-finite values (influxdb-java
  // drops those fields).
  const View prom_for_influx =
      Collect(prom_sink.samples, {.skip = TextMetrics(GetParam(), /*bools=*/false),
                                  .finite_only = true,
                                  .statsd_labels = false});
  const View influx = Collect(influx_sink.samples);
  ExpectSameView(prom_for_influx, influx, 1e-12, /*compare_job_id=*/true, "influx");

  // StatsD carries the default scope formats' variables (no job id, no
  // task/operator ids or attempts), loses ':' in names, refuses booleans
  // and strings, and sends Java's float digits for float gauges.
  const View prom_for_statsd =
      Collect(prom_sink.samples, {.skip = TextMetrics(GetParam(), /*bools=*/true),
                                  .finite_only = false,
                                  .statsd_labels = true});
  Filter statsd_labels;
  statsd_labels.statsd_labels = true;
  const View statsd = Collect(statsd_sink_.samples, statsd_labels);
  ExpectSameView(prom_for_statsd, statsd, 1e-6, /*compare_job_id=*/false, "statsd");
  for (const RecordedSample& s : statsd_sink_.samples) EXPECT_EQ(s.job_id, "") << s.metric;

  // A scrape of the same process carries exactly what its push carries:
  // every identity, value, job id and cluster.
  const View scraped = Collect(scrape_sink.samples);
  ExpectSameView(Collect(prom_sink.samples), scraped, 0, /*compare_job_id=*/true, "scrape");
  ASSERT_EQ(scrape_sink.samples.size(), prom_sink.samples.size());
  for (size_t i = 0; i < prom_sink.samples.size(); ++i) {
    EXPECT_EQ(scrape_sink.samples[i].cluster, prom_sink.samples[i].cluster)
        << scrape_sink.samples[i].metric;
  }

  // Not vacuous: every scope, summaries and key/value labels were compared.
  EXPECT_EQ(statsd.size(), prom_for_statsd.size());
  EXPECT_EQ(influx.size(), prom_for_influx.size());
  EXPECT_EQ(scraped.size(), Collect(prom_sink.samples).size());
  std::set<v1::Scope> scopes;
  size_t summaries = 0, partitions = 0;
  for (const auto& [id, series] : statsd) {
    scopes.insert(id.scope);
    summaries += series.values.contains("0.99");
    partitions += id.labels.contains("partition");
  }
  EXPECT_EQ(scopes.size(), 6u);
  EXPECT_GT(summaries, 0u);
  EXPECT_GT(partitions, 0u);

  // The wire quirks of the version were met.
  const StatsdNormalizerStats& second = statsd_->stats();
  EXPECT_EQ(second.rejected_text - first.rejected_text, TextInstances());
  EXPECT_EQ(second.rejected_scope, 0u);
  EXPECT_EQ(second.rejected_syntax, 0u);
  // Non-heap Max is -1 on every JVM: there is always a negative value.
  EXPECT_EQ(second.reset_zeros - first.reset_zeros > 0, traits.statsd_zero_before_negative);
  EXPECT_EQ(second.repeats - first.repeats > 0, traits.statsd_repeats_numeric_gauges);
  // One parse per identifier: the second report hit the cache.
  EXPECT_EQ(second.identifier_parses, first.identifier_parses);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, CrossFormatTest, ::testing::ValuesIn(sim::kAllFlinkVersions),
                         [](const ::testing::TestParamInfo<sim::FlinkVersion>& info) {
                           std::string name(sim::FlinkVersionName(info.param));
                           std::replace(name.begin(), name.end(), '.', '_');
                           return "Flink" + name;
                         });

}  // namespace
}  // namespace vitals::gateway
