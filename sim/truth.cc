#include "sim/truth.h"

namespace vitals::sim {
namespace {

bool AnyDef(const MetricDef&) { return true; }
bool AnyGroup(const Group&) { return true; }

// Visits the instances of Flink cluster `cluster` whose family and group
// the predicates accept, as TruthSamples.
void ForEachInCluster(const Fleet& fleet, int cluster,
                      absl::FunctionRef<bool(const MetricDef&)> want_def,
                      absl::FunctionRef<bool(const Group&)> want_group,
                      absl::FunctionRef<void(const TruthSample&)> visit) {
  const ClusterLayout& layout = fleet.layout(cluster);
  for (size_t p = 0; p < layout.processes.size(); ++p) {
    for (const Family& family : layout.processes[p].families) {
      if (!want_def(*family.def)) continue;
      for (uint32_t m = family.begin; m < family.end; ++m) {
        const Group& group = layout.groups[layout.members[m]];
        if (!want_group(group)) continue;
        TruthSample sample;
        sample.job = group.job;
        sample.flink_cluster = cluster;
        sample.process = static_cast<int>(p);
        sample.def = family.def;
        sample.labels = group.labels;
        sample.reading = fleet.Read(cluster, group, *family.def);
        visit(sample);
      }
    }
  }
}

}  // namespace

void ForEachSample(const Fleet& fleet, absl::FunctionRef<void(const TruthSample&)> visit) {
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    ForEachInCluster(fleet, cluster.index, AnyDef, AnyGroup, visit);
  }
}

namespace {

void ForEachOfJob(const Fleet& fleet, int job_index,
                  absl::FunctionRef<bool(const MetricDef&)> want_def,
                  absl::FunctionRef<void(const TruthSample&)> visit) {
  const SimJob& job = fleet.jobs()[job_index];
  if (job.closed) return;
  ForEachInCluster(
      fleet, job.flink_cluster, want_def,
      [&](const Group& group) { return group.job == job_index || group.job < 0; }, visit);
}

}  // namespace

void ForEachSampleOf(const Fleet& fleet, int job_index,
                     absl::FunctionRef<void(const TruthSample&)> visit) {
  ForEachOfJob(fleet, job_index, AnyDef, visit);
}

double SumOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical) {
  double sum = 0;
  ForEachOfJob(
      fleet, job_index,
      [&](const MetricDef& def) { return def.scope == scope && def.canonical == canonical; },
      [&](const TruthSample& s) { sum += s.reading.number; });
  return sum;
}

size_t CountOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical) {
  size_t count = 0;
  ForEachOfJob(
      fleet, job_index,
      [&](const MetricDef& def) { return def.scope == scope && def.canonical == canonical; },
      [&](const TruthSample&) { ++count; });
  return count;
}

size_t InstanceCount(const Fleet& fleet) {
  size_t count = 0;
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    for (const ProcessLayout& process : fleet.layout(cluster.index).processes) {
      for (const Family& family : process.families) count += family.end - family.begin;
    }
  }
  return count;
}

}  // namespace vitals::sim
