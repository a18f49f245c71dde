#pragma once

// The scorer's API of waves, batch migrations (docs/interfaces.md#waves):
//   POST /api/v1/waves          {"name", "from", "to", "at", "jobs" | "selector"}
//   GET  /api/v1/waves          every wave, newest first; paged
//   GET  /api/v1/waves/<wave>   each job's verdict and the wave's
//   GET  /api/v1/waves/plan?cluster=…[&queue=&team=&tenant=&prefix=
//        &criticality_label=&wave_size=]   the order to move a cluster's
//        jobs in (waves/wave_plan.h); its `jobs` paged
//
// A wave is written to the waves topic (acknowledged before the 201), which
// every replica follows; each records the wave's migration on the jobs it
// owns (waves/wave_recorder.h), so posting a wave forwards nothing. Reading
// a wave asks each job's owner for its rollback verdict: this replica's
// registry for its own jobs, the owner's `GET /api/v1/jobs/<job>/rollback`
// (the replica the fleet view names; the request's Authorization header
// passed on) for the others. An owner that cannot be asked leaves its job
// `insufficient_data`, saying why, and the wave on `hold`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/http/server.h"
#include "scorer/fleet/fleet_view.h"
#include "scorer/job_registry.h"
#include "scorer/waves/wave_book.h"
#include "scorer/waves/wave_recorder.h"
#include "scorer/waves/wave_writer.h"

namespace vitals::scorer {

// A wave's body: a thousand job names of a few dozen bytes each.
inline constexpr size_t kMaxWaveBodyBytes = 256 << 10;
// Jobs in one wave: a batch people watch, not the fleet.
inline constexpr size_t kMaxWaveJobs = 1000;
// A job name as a wave names it (a tenant-qualified key included).
inline constexpr size_t kMaxWaveJobNameBytes = 512;
// Each question to another replica about one of its jobs.
inline constexpr absl::Duration kOwnerTimeout = absl::Seconds(2);
// Questions to other replicas in flight at once for one wave.
inline constexpr int kOwnerFetchThreads = 8;

// OK when `wave` (its `at` set) may be recorded at `now_ms`; otherwise
// InvalidArgument starting with the offending field. The name is an
// identity by the cluster-name rule (common/base/cluster_name.h); `from`,
// `to` and `at` as a migration's (ValidateMigration), `from` != `to`; 1 to
// kMaxWaveJobs distinct, printable job names.
absl::Status ValidateWave(const v1::Wave& wave, int64_t now_ms);

class WavesApi {
 public:
  using Clock = vitals::Clock;
  struct Parts {
    JobRegistry* registry = nullptr;
    // Null without fleet reads: then only this replica's jobs are judged.
    const FleetView* fleet = nullptr;
    WaveBook* book = nullptr;
    WaveWriter* writer = nullptr;
    WaveRecorder* recorder = nullptr;
    // Whether the book holds every wave of the topic yet.
    std::function<bool()> caught_up;
    // This replica's advertised URL (never asked as another's owner).
    std::function<std::string()> self_url;
  };
  // Every part must outlive the API.
  WavesApi(Parts parts, Clock clock) : parts_(std::move(parts)), clock_(std::move(clock)) {}

  void Register(http::Server& server);
  http::Response Handle(const http::Request& request) const;

 private:
  http::Response Post(const http::Request& request) const;
  http::Response List(const http::Request& request) const;
  http::Response Plan(const http::Request& request) const;
  http::Response Status(const http::Request& request, const std::string& name) const;
  // The jobs a selector picks among those the replica knows, sorted.
  std::vector<std::string> Select(const v1::WaveSelector& selector) const;
  // One job's verdict in `wave`, from its owner.
  v1::WaveJob JudgeJob(const v1::Wave& wave, const std::string& job,
                       const std::string& authorization, int64_t now_ms) const;

  const Parts parts_;
  Clock clock_;
};

}  // namespace vitals::scorer
