#pragma once

// Which Flink jobs each Flink process runs, by evidence: the job-scoped
// series (those naming job_id / job_name) the process itself reported.
// Flink's process-scope series — a JobManager's or TaskManager's
// Status.JVM.* (GC, CPU, memory) — carry only `host` (and `tm_id`), so they
// belong to the jobs found here: exactly one for an application cluster,
// several for a TaskManager of a session cluster, none for a JobManager
// between jobs or a TaskManager with no slot in use.
//
// The name a reporter pushes under is no evidence: Flink's
// PrometheusPushGatewayReporter pushes to `jobName` + a random suffix, and
// `jobName` defaults to "" and is often one fixed name (`flink`) for every
// process of a fleet.
//
// A process is a sender (push group, scrape target, StatsD peer, Influx
// peer) plus the process's own `host` and `tm_id` labels, so that Influx
// writes of several processes from one address stay apart. Evidence is
// kept for `ttl` after it was last seen: StatsD and Influx report a
// process's series in pieces, so one piece may need the jobs the previous
// report named. Thread-safe: shared by every receiver.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

struct JobRef {
  std::string job_id;
  std::string job_name;

  bool operator==(const JobRef& o) const = default;
};

// One batch's finding: `process` reported job-scoped series of `job`.
struct JobEvidence {
  std::string process;
  JobRef job;
};

// How a job's process-scope series were come by, for its MetricBatch.
struct JobSharing {
  // Processes known to run the job.
  uint32_t processes = 0;
  // Of those, the ones that run other jobs too (session cluster).
  uint32_t shared_processes = 0;
  // Most jobs one of those processes runs (1 when none is shared).
  uint32_t max_jobs_per_process = 0;
};

// What process attribution did with process-scope samples.
struct AttributionCounts {
  // Handed on, once per job they went to.
  uint64_t attributed = 0;
  // Of those, the copies beyond the first: samples of a process that runs
  // several jobs.
  uint64_t shared_copies = 0;
  // Given to the sender's name (Options::sender_name_as_job).
  uint64_t sender_named = 0;
  // Dropped: their process reported no job-scoped series.
  uint64_t unattributed = 0;
};

class ProcessJobTable {
 public:
  struct Options {
    // How long a process's evidence counts after it was last reported.
    int64_t ttl_ms = 60'000;
    // When a process reports no job-scoped series, give its process-scope
    // series to the job its sender names (a push group's job without
    // Flink's random suffix, a scrape target's `job_name` label). Off by
    // default: with Flink's reporter defaults that name is random.
    bool sender_name_as_job = false;
  };

  explicit ProcessJobTable(Options options) : options_(options) {}

  Options options() const ABSL_LOCKS_EXCLUDED(mu_);
  // SIGHUP: new options for the batches that begin after it.
  void set_options(Options options) ABSL_LOCKS_EXCLUDED(mu_);

  void Record(std::span<const JobEvidence> evidence, int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);
  // Sets `out` to the jobs `process` reported within the TTL before
  // `now_ms`, in a stable order (by job name, job id).
  void JobsOf(std::string_view process, int64_t now_ms, std::vector<JobRef>* out) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // A process whose process-scope series found no job.
  void NoteUnattributed(std::string_view process, int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);

  // Per job name, over the processes with evidence within the TTL before
  // `now_ms`. Forgets what the TTL let go of.
  absl::flat_hash_map<std::string, JobSharing> SharingByJob(int64_t now_ms)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Writes SharingByJob(now_ms) into each job's batch (processes,
  // shared_processes, max_jobs_per_process): what the scorer says about
  // process-wide figures of shared TaskManagers.
  void Annotate(int64_t now_ms, std::vector<v1::MetricBatch>* batches) ABSL_LOCKS_EXCLUDED(mu_);
  // Processes whose process-scope series found no job within the TTL
  // (as of the last SharingByJob).
  size_t unattributed_processes() const ABSL_LOCKS_EXCLUDED(mu_);
  // Processes that run several jobs (as of the last SharingByJob).
  size_t shared_processes() const ABSL_LOCKS_EXCLUDED(mu_);

  // Adds one batch's counts; counts() are the totals since start.
  void Count(const AttributionCounts& batch) ABSL_LOCKS_EXCLUDED(mu_);
  AttributionCounts counts() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Seen {
    JobRef job;
    int64_t last_ms = 0;
  };
  struct Process {
    std::vector<Seen> jobs;  // sorted by job name, job id
    int64_t unattributed_ms = -1;
  };

  mutable absl::Mutex mu_;
  Options options_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Process> processes_ ABSL_GUARDED_BY(mu_);
  size_t unattributed_ ABSL_GUARDED_BY(mu_) = 0;
  size_t shared_ ABSL_GUARDED_BY(mu_) = 0;
  AttributionCounts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vitals::gateway
