// The scorer's acceptance scenario on simulated time: one job per fault
// (each health dimension), a healthy job and a job with two faults, pushed
// as Flink's PrometheusPushGatewayReporter would, through the gateway's
// real parser, normalizer and aggregator, graded by per-job scorers with
// the default model. Prints the table docs/scoring.md quotes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "gateway/aggregate/aggregator.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/normalize/prom_normalizer.h"
#include "gateway/parsers/promtext/parser.h"
#include "gateway/parsers/pushgateway_path/path.h"
#include "scorer/model/job_scorer.h"
#include "scorer/model/scoring_config.h"
#include "sim/fleet.h"
#include "sim/pushgateway.h"

namespace vitals {
namespace {

struct Scenario {
  std::string label;
  std::vector<sim::FaultKind> faults;
  std::string dimension;  // the injected dimension ("" for healthy)
};

std::vector<Scenario> Scenarios() {
  return {
      {"healthy", {}, ""},
      {"backpressure", {sim::FaultKind::kBackpressure}, "backpressure"},
      {"checkpoint_failure", {sim::FaultKind::kCheckpointFailure}, "checkpoint"},
      {"restarts", {sim::FaultKind::kRestarts}, "restarts"},
      {"gc_pressure", {sim::FaultKind::kGcPressure}, "gc"},
      {"cpu_saturation", {sim::FaultKind::kCpuSaturation}, "cpu"},
      {"source_lag", {sim::FaultKind::kSourceLag}, "latency"},
      {"skew", {sim::FaultKind::kSkew}, "skew"},
      {"checkpoint+backpressure",
       {sim::FaultKind::kCheckpointFailure, sim::FaultKind::kBackpressure},
       "checkpoint|backpressure"},
  };
}

std::string Worst(const v1::HealthReport& report, double* worst_score) {
  const v1::DimensionScore* worst = nullptr;
  for (const auto& d : report.dimensions()) {
    if (d.state() == v1::DIMENSION_STATE_UNKNOWN) continue;
    if (worst == nullptr || d.score() < worst->score()) worst = &d;
  }
  *worst_score = worst == nullptr ? NAN : worst->score();
  return worst == nullptr ? "" : worst->dimension();
}

TEST(ScenarioTest, EachFaultIsGradedOnItsDimensionAndGradesAreStable) {
  const std::vector<Scenario> scenarios = Scenarios();
  constexpr int64_t kInterval = 10'000;
  const int64_t t0 = 1'800'000'000'000;
  sim::FleetSpec spec;
  spec.jobs = static_cast<int>(scenarios.size());
  spec.nodes = 1;
  spec.clusters = {"k8s-test"};
  spec.start_ms = t0 - 15 * 60'000;  // running for 15 minutes: no start-up warm-up
  auto fleet = sim::Fleet::Create(spec);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  for (size_t j = 0; j < scenarios.size(); ++j) {
    for (sim::FaultKind f : scenarios[j].faults) {
      ASSERT_TRUE(fleet->SetFault(static_cast<int>(j), f, true).ok());
    }
  }

  gateway::AggregatorConfig aggregation;
  aggregation.gateway = "node-00";
  aggregation.cluster = "k8s-test";
  gateway::Aggregator aggregator(aggregation);
  gateway::ProcessJobTable processes(gateway::ProcessJobTable::Options{});
  gateway::ProcessAttributor attributor(&processes, &aggregator);
  gateway::PromNormalizer normalizer(&attributor);
  gateway::PromTextParser parser(gateway::TextFormat::kPrometheus004);
  const scorer::ScoringConfig scoring;
  std::map<std::string, std::unique_ptr<scorer::JobScorer>> scorers;
  std::map<std::string, std::vector<v1::HealthReport>> reports;

  constexpr int kIntervals = 60;  // 10 minutes: window filled, then 20+ to judge
  std::vector<sim::Push> pushes;
  for (int i = 1; i <= kIntervals; ++i) {
    const int64_t boundary = t0 + i * kInterval;
    fleet->AdvanceTo(boundary - 1);
    sim::RenderPushes(*fleet, &pushes);
    for (const sim::Push& push : pushes) {
      auto key = gateway::ParsePushgatewayPath(std::string_view(push.path).substr(9));
      ASSERT_TRUE(key.ok()) << key.status();
      std::string_view cluster;
      for (const auto& [name, value] : key->labels) {
        if (name == "cluster") cluster = value;
      }
      attributor.Begin(gateway::StripRandomJobNameSuffix(key->job));
      normalizer.Reset(push.path, boundary - 1, cluster);
      ASSERT_TRUE(parser.Parse(push.body, normalizer).ok());
      attributor.Finish(boundary - 1);
    }
    for (v1::MetricBatch& batch : aggregator.Flush(boundary)) {
      auto& scorer = scorers[batch.job_name()];
      if (!scorer) scorer = std::make_unique<scorer::JobScorer>(&scoring);
      scorer->Add(std::move(batch));
    }
    for (auto& [job, scorer] : scorers) {
      if (auto report = scorer->Evaluate(boundary + absl::ToInt64Milliseconds(scoring.grace))) {
        reports[job].push_back(*report);
      }
    }
  }

  std::printf("\n| job | injected | score | grade | worst dimension | diagnosis |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  for (size_t j = 0; j < scenarios.size(); ++j) {
    const Scenario& s = scenarios[j];
    std::string job = fleet->jobs()[j].name;
    for (char& c : job) {
      if (c == '-') c = '_';
    }
    const std::vector<v1::HealthReport>& history = reports[job];
    ASSERT_GE(history.size(), 20u) << job;
    const v1::HealthReport& last = history.back();
    double worst_score = 0;
    const std::string worst = Worst(last, &worst_score);
    std::printf("| %s | %s | %.1f | %s | %s %.1f | %s |\n", job.c_str(), s.label.c_str(),
                last.score(), last.grade().c_str(), worst.c_str(), worst_score,
                last.diagnosis().c_str());
    // The last 20 intervals: a steady fault, a steady grade.
    std::set<std::string> grades;
    for (size_t k = history.size() - 20; k < history.size(); ++k) {
      const v1::HealthReport& r = history[k];
      grades.insert(r.grade());
      if (s.dimension.empty()) {
        EXPECT_GE(r.score(), 8) << job << " interval " << k << "\n" << r.DebugString();
      } else {
        EXPECT_LE(r.score(), 4) << job << " (" << s.label << ") interval " << k << "\n"
                                << r.DebugString();
        double ws = 0;
        EXPECT_THAT(s.dimension, ::testing::HasSubstr(Worst(r, &ws)))
            << job << " (" << s.label << ") interval " << k << "\n"
            << r.DebugString();
      }
    }
    EXPECT_EQ(grades.size(), 1u) << job << " grade flapped";
  }
}

}  // namespace
}  // namespace vitals
