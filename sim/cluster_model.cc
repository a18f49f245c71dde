#include "sim/cluster_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/hashing.h"
#include "sim/layout.h"

namespace vitals::sim {
namespace {

constexpr char kPodSuffixChars[] = "bcdfghjklmnpqrstvwxz2456789";

std::string PodSuffix(uint64_t h, int length) {
  std::string out;
  for (int i = 0; i < length; ++i) {
    out.push_back(kPodSuffixChars[h % (sizeof(kPodSuffixChars) - 1)]);
    h /= (sizeof(kPodSuffixChars) - 1);
  }
  return out;
}

}  // namespace

double ClusterModel::UnitAt(int64_t second, uint64_t key, uint64_t a, uint64_t b) const {
  const uint64_t h =
      HashOf({spec_.seed, static_cast<uint64_t>(cluster_.jobs.front()),
              static_cast<uint64_t>(rt_.generation), key, static_cast<uint64_t>(second), a, b});
  return (Noise(h) + 1.0) / 2.0;
}

void ClusterModel::Create(int index, std::vector<int> job_indices, std::string_view label) {
  cluster_.index = index;
  cluster_.session = spec_.session_jobs > 1;
  cluster_.jobs = std::move(job_indices);
  cluster_.cluster = std::string(label);
  cluster_.version = spec_.version;
  rt_.generation = 0;
  for (int j : cluster_.jobs) Job(j).Create(j);
  DeployProcesses(spec_.start_ms);
  for (size_t local = 0; local < cluster_.jobs.size(); ++local) {
    Job(cluster_.jobs[local])
        .Deploy(cluster_, SubtaskPlacement(static_cast<int>(local)), spec_.start_ms);
  }
  Drive(spec_.start_ms);
}

void ClusterModel::Redeploy(std::string_view label, FlinkVersion version,
                            std::vector<RetiredProcess>* retired) {
  const int64_t now = rt_.now_ms;
  Retire(retired);
  ++rt_.generation;
  cluster_.cluster = std::string(label);
  cluster_.version = version;
  DeployProcesses(now);
  const int j = cluster_.jobs.front();
  ++jobs_[j].generation;
  Job(j).Deploy(cluster_, SubtaskPlacement(0), now);
  Drive(now);
}

void ClusterModel::DeployProcesses(int64_t at_ms) {
  rt_.now_ms = at_ms;
  rt_.process_serial = 0;
  rt_.next_tm_number = 1;
  rt_.next_container = 2;
  rt_.yarn_application =
      1 + static_cast<int>(HashOf({spec_.seed, static_cast<uint64_t>(cluster_.jobs.front()),
                                   static_cast<uint64_t>(rt_.generation), 0xa99}) %
                           9999);
  // Each deployment lands one node further on; processes of a cluster
  // spread over consecutive nodes.
  const int per_cluster = spec_.task_managers + 1;
  cluster_.processes.clear();
  rt_.processes.clear();
  for (int p = 0; p < per_cluster; ++p) {
    const int node = static_cast<int>(
        (static_cast<int64_t>(cluster_.index) * per_cluster + p + rt_.generation) % spec_.nodes);
    const ProcessKind kind = p == 0 ? ProcessKind::kJobManager : ProcessKind::kTaskManager;
    cluster_.processes.push_back(NewProcess(kind, node, at_ms));
    rt_.processes.push_back(NewProcessState(kind));
  }
  rt_.layout_dirty = true;
}

int ClusterModel::SlotsPerTaskManager() const {
  const int subtasks = spec_.parallelism * static_cast<int>(cluster_.jobs.size());
  return (subtasks + spec_.task_managers - 1) / spec_.task_managers;
}

std::vector<int> ClusterModel::SubtaskPlacement(int local) const {
  // Slot sharing: subtask i of every task of a job shares one slot.
  const int slots = SlotsPerTaskManager();
  std::vector<int> placement(spec_.parallelism);
  for (int s = 0; s < spec_.parallelism; ++s) {
    placement[s] = 1 + (local * spec_.parallelism + s) / slots;
  }
  return placement;
}

SimProcess ClusterModel::NewProcess(ProcessKind kind, int node, int64_t at_ms) {
  SimProcess process;
  process.kind = kind;
  process.uid = next_uid_++;
  process.node = node;
  process.started_ms = at_ms;
  const uint64_t h = HashOf({spec_.seed, static_cast<uint64_t>(cluster_.jobs.front()),
                             static_cast<uint64_t>(rt_.generation), 0x9e,
                             static_cast<uint64_t>(rt_.process_serial++)});
  process.push_suffix = HexId(h ^ 0x5);
  // Kubernetes' cluster-id: an application cluster is named after its job.
  const std::string cluster_id =
      cluster_.session ? absl::StrFormat("session-%03d", cluster_.index) : first_job().name;
  const uint64_t cluster_hash = HashText(cluster_.cluster);
  if (ClusterKindOf(cluster_.cluster).value_or(ClusterKind::kKubernetes) ==
      ClusterKind::kKubernetes) {
    process.host = absl::StrCat("10.", 16 + cluster_hash % 16, ".", node % 256, ".", 2 + h % 250);
    if (kind == ProcessKind::kJobManager) {
      process.pod = absl::StrCat(cluster_id, "-", HexId(h).substr(0, 10), "-", PodSuffix(h, 5));
    } else {
      // Flink native Kubernetes: <cluster-id>-taskmanager-<attempt>-<index>.
      process.pod =
          absl::StrCat(cluster_id, "-taskmanager-", rt_.generation + 1, "-", rt_.next_tm_number++);
      process.tm_id = process.pod;
    }
  } else {
    process.host = absl::StrCat(nodes_[node], ".", cluster_.cluster, ".internal");
    const int64_t cluster_timestamp = 1'690'000'000'000 + cluster_hash % 10'000'000'000;
    const int container = kind == ProcessKind::kJobManager ? 1 : rt_.next_container++;
    process.pod = absl::StrFormat("container_e%02d_%d_%04d_01_%06d", 1 + cluster_hash % 40,
                                  cluster_timestamp, rt_.yarn_application, container);
    if (kind == ProcessKind::kTaskManager) process.tm_id = process.pod;
  }
  return process;
}

ProcessState ClusterModel::NewProcessState(ProcessKind kind) const {
  ProcessState state;
  if (kind == ProcessKind::kJobManager) {
    state.cores = 1;
    state.heap_max = 1024.0 * 1024 * 1024;
    state.classes_loaded = 8'200;
  } else {
    state.slots = SlotsPerTaskManager();
    state.cores = std::max(1, state.slots);
    state.heap_max = 4096.0 * 1024 * 1024;
    state.classes_loaded = 11'500;
    state.managed_total = 512.0 * 1024 * 1024 * state.slots;
    state.segments_total = 4096;
  }
  state.heap_committed = state.heap_max;
  return state;
}

void ClusterModel::AdvanceTo(int64_t now_ms, std::vector<RetiredProcess>* retired) {
  if (now_ms < rt_.now_ms) return;
  int64_t t = rt_.now_ms;
  while (true) {
    int64_t next = kNever;
    for (int j : cluster_.jobs) next = std::min(next, Job(j).NextEvent());
    const int64_t step_end = std::min(next, now_ms);
    IntegrateProcesses(t, step_end);
    for (int j : cluster_.jobs) {
      if (jobs_[j].closed) continue;
      Job(j).Integrate(t, step_end);
      job_rts_[j].now_ms = step_end;
    }
    t = step_end;
    rt_.now_ms = t;
    if (next > now_ms) break;
    for (int j : cluster_.jobs) {
      if (Job(j).NextEvent() == next) React(j, Job(j).HandleEvent(next), next, retired);
    }
  }
  Drive(now_ms);
}

void ClusterModel::React(int job, JobEvent event, int64_t at_ms,
                         std::vector<RetiredProcess>* retired) {
  switch (event) {
    case JobEvent::kNone:
      return;
    case JobEvent::kFailed:
      // In a session the job's tasks restart on the same TaskManagers.
      if (!cluster_.session) ReplaceTaskManager(job, at_ms);
      return;
    case JobEvent::kClosed:
      // An application cluster shuts down with its job; a session cluster
      // outlives its jobs.
      if (!cluster_.session) Retire(retired);
      return;
  }
}

void ClusterModel::ReplaceTaskManager(int job, int64_t at_ms) {
  // The failure took a TaskManager pod with it; its replacement is a new
  // process (new tm_id, new push group, JVM counters from zero) on the
  // same node.
  const int task_managers = static_cast<int>(cluster_.processes.size()) - 1;
  const int crashed = 1 + static_cast<int>((jobs_[job].restarts - 1) % task_managers);
  const int node = cluster_.processes[crashed].node;
  cluster_.processes[crashed] = NewProcess(ProcessKind::kTaskManager, node, at_ms);
  rt_.processes[crashed] = NewProcessState(ProcessKind::kTaskManager);
  rt_.layout_dirty = true;
}

void ClusterModel::Retire(std::vector<RetiredProcess>* retired) {
  for (const SimProcess& process : cluster_.processes) {
    retired->push_back(
        {cluster_.index, first_job().index, first_job().name, cluster_.cluster, process});
  }
  cluster_.processes.clear();
  rt_.processes.clear();
  rt_.layout_dirty = true;
}

void ClusterModel::SetFault(int job, FaultKind kind, bool on) {
  Job(job).SetFault(kind, on);
  Drive(rt_.now_ms);
}

absl::Status ClusterModel::EndJob(int job, JobEnd end, std::vector<RetiredProcess>* retired) {
  if (absl::Status s = Job(job).End(end, rt_.now_ms); !s.ok()) return s;
  // A zero cancel/fail duration or linger takes effect at once.
  AdvanceTo(rt_.now_ms, retired);
  return absl::OkStatus();
}

void ClusterModel::IntegrateProcesses(int64_t from_ms, int64_t to_ms) {
  if (to_ms <= from_ms) return;
  const double dt = (to_ms - from_ms) / 1000.0;
  for (ProcessState& process : rt_.processes) {
    process.cpu_time_ns += process.cpu_load * process.cores * 1e9 * dt;
    for (int c = 0; c < 2; ++c) {
      process.gc_count[c] += process.gc_count_rate[c] * dt;
      process.gc_time_ms[c] += process.gc_time_rate[c] * dt;
    }
  }
}

void ClusterModel::Drive(int64_t at_ms) {
  for (int j : cluster_.jobs) {
    if (!jobs_[j].closed) Job(j).Drive(at_ms);
  }
  DriveProcesses(at_ms / 1000);
}

void ClusterModel::DriveProcesses(int64_t second) {
  for (size_t p = 0; p < rt_.processes.size(); ++p) {
    ProcessState& process = rt_.processes[p];
    auto u = [&](uint64_t key, uint64_t extra = 0) { return UnitAt(second, key, p, extra); };
    if (cluster_.processes[p].kind == ProcessKind::kJobManager) {
      process.cpu_load = 0.02 + 0.06 * u(kCpuKey);
      process.gc_time_rate[0] = 2 + 3 * u(kGcKey, 0);
      process.gc_count_rate[0] = 0.1 + 0.2 * u(kGcKey, 1);
      process.gc_time_rate[1] = 0;
      process.gc_count_rate[1] = 0;
      process.heap_used = std::floor(process.heap_max * (0.2 + 0.2 * u(kHeapKey)));
      process.threads = std::floor(45 + 4 * u(kThreadsKey));
    } else {
      // GC, CPU and network buffers are the JVM's: a fault of any job with
      // live tasks on this TaskManager shows in them.
      bool cpu = false;
      bool gc = false;
      bool backpressure = false;
      for (int j : cluster_.jobs) {
        const SimJob& job = jobs_[j];
        if (job.closed || IsTerminal(job.status) ||
            std::find(job.subtask_process.begin(), job.subtask_process.end(),
                      static_cast<int>(p)) == job.subtask_process.end()) {
          continue;
        }
        cpu |= job.HasFault(FaultKind::kCpuSaturation);
        gc |= job.HasFault(FaultKind::kGcPressure);
        backpressure |= job.HasFault(FaultKind::kBackpressure);
      }
      process.cpu_load = cpu ? 0.95 + 0.045 * u(kCpuKey) : 0.15 + 0.25 * u(kCpuKey);
      if (gc) {
        // ~300 ms of every second in GC, mostly old generation.
        process.gc_time_rate[0] = 110 + 20 * u(kGcKey, 0);
        process.gc_count_rate[0] = 2 + u(kGcKey, 1);
        process.gc_time_rate[1] = 175 + 15 * u(kGcKey, 2);
        process.gc_count_rate[1] = 0.3;
      } else {
        process.gc_time_rate[0] = 3 + 5 * u(kGcKey, 0);
        process.gc_count_rate[0] = 0.2 + 0.3 * u(kGcKey, 1);
        process.gc_time_rate[1] = 0.3 * u(kGcKey, 2);
        process.gc_count_rate[1] = 0.002;
      }
      const double heap_share = gc ? 0.88 + 0.09 * u(kHeapKey) : 0.25 + 0.3 * u(kHeapKey);
      process.heap_used = std::floor(process.heap_max * heap_share);
      process.threads = std::floor(60 + 6 * process.slots + 4 * u(kThreadsKey));
      process.managed_used = std::floor(process.managed_total * 0.35);
      const double free_share =
          backpressure ? 0.05 + 0.05 * u(kSegmentsKey) : 0.75 + 0.2 * u(kSegmentsKey);
      process.segments_available = std::floor(process.segments_total * free_share);
    }
    process.nonheap_used = std::floor(1.3e8 + 4e7 * u(kNonHeapKey));
    process.nonheap_committed = process.nonheap_used + 8 * 1024 * 1024;
  }
}

void ClusterModel::RefreshLayout() {
  if (!rt_.layout_dirty) return;
  for (int j : cluster_.jobs) {
    SimJob& job = jobs_[j];
    if (job.closed) {
      job.processes.clear();
    } else {
      job.processes = cluster_.processes;
    }
  }
  BuildLayout(cluster_, jobs_, spec_.job_status_metrics, spec_.latency_tracking, &rt_.layout);
  rt_.layout_dirty = false;
}

}  // namespace vitals::sim
