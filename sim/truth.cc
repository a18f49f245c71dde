#include "sim/truth.h"

namespace vitals::sim {
namespace {

template <typename Visit>
void ForEachInJob(const Fleet& fleet, int job, Visit&& visit) {
  const JobLayout& layout = fleet.layout(job);
  for (size_t p = 0; p < layout.processes.size(); ++p) {
    for (const Family& family : layout.processes[p].families) {
      for (uint32_t m = family.begin; m < family.end; ++m) {
        visit(static_cast<int>(p), family, layout.groups[layout.members[m]]);
      }
    }
  }
}

}  // namespace

void ForEachSample(const Fleet& fleet, absl::FunctionRef<void(const TruthSample&)> visit) {
  for (const SimJob& job : fleet.jobs()) {
    ForEachInJob(fleet, job.index, [&](int process, const Family& family, const Group& group) {
      TruthSample sample;
      sample.job = job.index;
      sample.process = process;
      sample.def = family.def;
      sample.labels = group.labels;
      sample.reading = fleet.Read(job.index, group, *family.def);
      visit(sample);
    });
  }
}

double SumOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical) {
  double sum = 0;
  ForEachInJob(fleet, job_index, [&](int, const Family& family, const Group& group) {
    if (family.def->scope == scope && family.def->canonical == canonical) {
      sum += fleet.Read(job_index, group, *family.def).number;
    }
  });
  return sum;
}

size_t CountOf(const Fleet& fleet, int job_index, Scope scope, std::string_view canonical) {
  size_t count = 0;
  ForEachInJob(fleet, job_index, [&](int, const Family& family, const Group&) {
    if (family.def->scope == scope && family.def->canonical == canonical) ++count;
  });
  return count;
}

size_t InstanceCount(const Fleet& fleet) {
  size_t count = 0;
  for (const SimJob& job : fleet.jobs()) {
    const JobLayout& layout = fleet.layout(job.index);
    for (const ProcessLayout& process : layout.processes) {
      for (const Family& family : process.families) count += family.end - family.begin;
    }
  }
  return count;
}

}  // namespace vitals::sim
