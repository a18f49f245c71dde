#pragma once

// The scorer's HTTP JSON API (proto3 JSON mapping of health.proto):
//   GET  /api/v1/jobs[?max_score=&cluster=]
//   GET  /api/v1/jobs/<job>            latest HealthReport
//   GET  /api/v1/jobs/<job>/history
//   GET  /api/v1/jobs/<job>/migrations  recorded migrations, oldest first
//   POST /api/v1/jobs/<job>/migrations {"from": …, "to": …, "at": <ms>}
//   GET  /api/v1/jobs/<job>/rollback
// <job> is the job name (stable identity) or its current job id.
//
// The lists (jobs, history points, migrations) are paged with
// `?limit=&offset=`: `X-Total-Count` says how many there are and `Link:
// <…>; rel="next"` where the next page starts. Every answer is gzipped for
// a client that accepts it. Migrations are checked before they are kept:
// see the limits below and docs/interfaces.md.
//
// With a FleetView (scorer.fleet_reads) the API answers for the whole
// fleet: the list holds this replica's jobs (from the registry, freshest)
// and the view's latest reports of every other job; a job's report comes
// from the registry, else from the view. The per-job state questions
// (history, migrations, rollback) about a job this replica does not own
// are answered `307 Temporary Redirect` to the same request target on the
// replica the view names as the job's owner; 404 when it names none, or
// names this replica (a report of a job it has since let go of). The
// view's reports that name this replica are left out of the list for the
// same reason.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/clock.h"
#include "common/base/cluster_name.h"
#include "common/http/server.h"
#include "scorer/api/api_answers.h"
#include "scorer/fleet/fleet_view.h"
#include "scorer/job_registry.h"

namespace vitals::scorer {

// A migration's body: three small fields fit many times over.
inline constexpr size_t kMaxMigrationBodyBytes = 4096;
// How far from now a migration's `at` may be: a migration recorded late
// (back-filled after the fact) but not one from before the history a
// verdict could compare, nor one from the future beyond clock skew.
inline constexpr absl::Duration kMigrationMaxAge = absl::Hours(24 * 30);
inline constexpr absl::Duration kMigrationMaxAhead = absl::Hours(1);

// OK when `migration` may be recorded at `now_ms`; otherwise
// InvalidArgument whose message starts with the offending field's name.
// `from` and `to` are cluster names (common/base/cluster_name.h, the rule
// the gateway applies to pushed and scraped clusters). `at` must be set (the API sets 0 to now
// before asking).
absl::Status ValidateMigration(const v1::Migration& migration, int64_t now_ms);

class JobsApi {
 public:
  using Clock = vitals::Clock;
  // Hears the stable key of a job a migration was recorded for.
  using MigrationListener = std::function<void(const std::string& key)>;
  // `fleet`, when given, must outlive the API.
  JobsApi(JobRegistry* registry, Clock clock, MigrationListener on_migration = nullptr,
          const FleetView* fleet = nullptr)
      : registry_(registry),
        clock_(std::move(clock)),
        on_migration_(std::move(on_migration)),
        fleet_(fleet) {}

  void Register(http::Server& server);
  http::Response Handle(const http::Request& request) const;

  // This replica's advertised URL (ScorerConfig::AdvertisedUrl), as its
  // reports name it: known once the server has bound. Thread-safe.
  void set_self_url(std::string url) ABSL_LOCKS_EXCLUDED(self_url_mu_);
  std::string self_url() const ABSL_LOCKS_EXCLUDED(self_url_mu_);

 private:
  http::Response Dispatch(const http::Request& request) const;
  http::Response ListJobs(const http::Request& request) const;
  http::Response History(const http::Request& request, const std::string& job) const;
  http::Response Migrations(const http::Request& request, const std::string& job) const;
  // The answer about a job the registry does not hold: a redirect to the
  // replica the fleet view names as its owner, else `not_found`.
  http::Response ElsewhereOr(const http::Request& request, const std::string& job,
                             http::Response not_found) const;

  JobRegistry* registry_;
  Clock clock_;
  MigrationListener on_migration_;
  const FleetView* fleet_;
  mutable absl::Mutex self_url_mu_;
  std::string self_url_ ABSL_GUARDED_BY(self_url_mu_);
};

}  // namespace vitals::scorer
