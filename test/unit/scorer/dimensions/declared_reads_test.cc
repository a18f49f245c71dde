// Every metric a built-in dimension, the job lifecycle, the warm-up or the
// topology reads
// is one Flink registers, by the one catalog (common/flink/catalog.h): a
// misspelled name (`RUNNINGState` for JobStatusMetrics' `runningState`)
// would otherwise read nothing and pass every test fed the same spelling.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "common/flink/catalog.h"
#include "scorer/dimensions/backpressure.h"
#include "scorer/dimensions/checkpoint.h"
#include "scorer/dimensions/cpu.h"
#include "scorer/dimensions/gc.h"
#include "scorer/dimensions/job_lifecycle.h"
#include "scorer/dimensions/latency.h"
#include "scorer/dimensions/restarts.h"
#include "scorer/dimensions/skew.h"
#include "scorer/model/topology.h"
#include "scorer/model/warmup.h"

namespace vitals::scorer {
namespace {

TEST(DeclaredReadsTest, EveryBuiltInDimensionReadsOnlyMetricsFlinkRegisters) {
  const LatencyConfig latency;
  const CheckpointConfig checkpoint;
  const RestartsConfig restarts;
  const GcConfig gc;
  const CpuConfig cpu;
  const BackpressureConfig backpressure;
  const SkewConfig skew;
  JobLifecycleTracker lifecycle;
  std::vector<std::unique_ptr<Dimension>> dimensions;
  dimensions.push_back(std::make_unique<LatencyDimension>(&latency));
  dimensions.push_back(std::make_unique<CheckpointDimension>(&checkpoint));
  dimensions.push_back(std::make_unique<RestartsDimension>(&restarts, &lifecycle));
  dimensions.push_back(std::make_unique<GcDimension>(&gc));
  dimensions.push_back(std::make_unique<CpuDimension>(&cpu));
  dimensions.push_back(std::make_unique<BackpressureDimension>(&backpressure));
  dimensions.push_back(std::make_unique<SkewDimension>(&skew));

  for (const auto& dimension : dimensions) {
    MetricSelector reads;
    dimension->DeclareReads(reads);
    EXPECT_FALSE(reads.names().empty() && reads.prefixes().empty()) << dimension->name();
    for (const std::string& name : reads.names()) {
      EXPECT_TRUE(flink::IsKnownCanonical(name)) << dimension->name() << " reads " << name;
    }
    for (const std::string& prefix : reads.prefixes()) {
      EXPECT_TRUE(flink::IsKnownCanonicalPrefix(prefix))
          << dimension->name() << " reads " << prefix;
    }
  }
  MetricSelector state_reads;
  JobLifecycleTracker::DeclareReads(state_reads);
  EXPECT_EQ(state_reads.names().size(), 2u + 6u * 3u);  // uptime, downtime, 6 statuses × 3
  for (const std::string& name : state_reads.names()) {
    EXPECT_TRUE(flink::IsKnownCanonical(name)) << name;
  }
  MetricSelector warmup_reads;
  WarmupTracker::DeclareReads(warmup_reads);
  EXPECT_FALSE(warmup_reads.names().empty() && warmup_reads.prefixes().empty());
  for (const std::string& name : warmup_reads.names()) {
    EXPECT_TRUE(flink::IsKnownCanonical(name)) << "warm-up reads " << name;
  }
  for (const std::string& prefix : warmup_reads.prefixes()) {
    EXPECT_TRUE(flink::IsKnownCanonicalPrefix(prefix)) << "warm-up reads " << prefix;
  }
  MetricSelector topology_reads;
  TopologyTracker::DeclareReads(topology_reads);
  EXPECT_EQ(topology_reads.names().size(), 3u);
  for (const std::string& name : topology_reads.names()) {
    EXPECT_TRUE(flink::IsKnownCanonical(name)) << "topology reads " << name;
  }
}

TEST(DeclaredReadsTest, TheCatalogKnowsFlinksSpellingNotOthers) {
  // JobStatusMetrics: status.name().toLowerCase() + State|Time|TimeTotal,
  // for the non-terminal statuses other than RECONCILING only.
  EXPECT_TRUE(flink::IsKnownCanonical("runningTime"));
  EXPECT_TRUE(flink::IsKnownCanonical("restartingTimeTotal"));
  EXPECT_FALSE(flink::IsKnownCanonical("RUNNINGState"));
  EXPECT_FALSE(flink::IsKnownCanonical("finishedTime"));
  EXPECT_FALSE(flink::IsKnownCanonical("reconcilingState"));
  EXPECT_TRUE(flink::IsKnownCanonical("Status_JVM_GarbageCollector_G1_Young_Generation_Time"));
  EXPECT_FALSE(flink::IsKnownCanonical("numRecordsInRate"));
}

TEST(DeclaredReadsTest, TheCatalogKnowsWhichReleasesRegisterWhat) {
  // JobStatusMetrics came with 1.15; busy and back-pressured time with
  // 1.13; GC `All` and `TimeMsPerSecond` with 1.19 (flink-metrics.md);
  // fullRestarts, uptime and downtime went in 2.0 (FLINK-36355).
  EXPECT_FALSE(flink::RegisteredIn("runningTime", 114));
  EXPECT_TRUE(flink::RegisteredIn("runningTime", 115));
  EXPECT_FALSE(flink::RegisteredIn("busyTimeMsPerSecond", 112));
  EXPECT_TRUE(flink::RegisteredIn("busyTimeMsPerSecond", 113));
  EXPECT_FALSE(flink::RegisteredIn("Status_JVM_GarbageCollector_All_TimeMsPerSecond", 118));
  EXPECT_TRUE(flink::RegisteredIn("Status_JVM_GarbageCollector_All_TimeMsPerSecond", 119));
  EXPECT_FALSE(
      flink::RegisteredIn("Status_JVM_GarbageCollector_G1_Young_Generation_TimeMsPerSecond", 117));
  EXPECT_TRUE(flink::RegisteredIn("Status_JVM_GarbageCollector_G1_Young_Generation_Count", 110));
  EXPECT_TRUE(flink::RegisteredIn("fullRestarts", 119));
  EXPECT_FALSE(flink::RegisteredIn("fullRestarts", 200));
  EXPECT_FALSE(flink::RegisteredIn("uptime", 200));
  EXPECT_TRUE(flink::RegisteredIn("numRestarts", 200));
  EXPECT_TRUE(flink::RegisteredIn("numRecordsInPerSecond", flink::kOldestRelease));
}

}  // namespace
}  // namespace vitals::scorer
