#pragma once

// The scorer's HTTP JSON API (proto3 JSON mapping of health.proto):
//   GET  /api/v1/jobs[?max_score=&cluster=]
//   GET  /api/v1/jobs/<job>            latest HealthReport
//   GET  /api/v1/jobs/<job>/history
//   GET  /api/v1/jobs/<job>/migrations  recorded migrations, oldest first
//   POST /api/v1/jobs/<job>/migrations {"from": …, "to": …, "at": <ms>}
//   GET  /api/v1/jobs/<job>/rollback
// <job> is the job name (stable identity) or its current job id.

#include <functional>
#include <string>

#include "common/base/clock.h"
#include "common/http/server.h"
#include "scorer/job_registry.h"

namespace vitals::scorer {

class JobsApi {
 public:
  using Clock = vitals::Clock;
  // Hears the stable key of a job a migration was recorded for.
  using MigrationListener = std::function<void(const std::string& key)>;
  JobsApi(JobRegistry* registry, Clock clock, MigrationListener on_migration = nullptr)
      : registry_(registry), clock_(std::move(clock)), on_migration_(std::move(on_migration)) {}

  void Register(http::Server& server);
  http::Response Handle(const http::Request& request) const;

 private:
  http::Response ListJobs(const http::Request& request) const;
  http::Response Migrations(const http::Request& request, const std::string& job) const;

  JobRegistry* registry_;
  Clock clock_;
  MigrationListener on_migration_;
};

}  // namespace vitals::scorer
