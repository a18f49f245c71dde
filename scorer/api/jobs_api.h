#pragma once

// The scorer's HTTP JSON API (proto3 JSON mapping of health.proto):
//   GET  /api/v1/jobs[?max_score=&cluster=]
//   GET  /api/v1/jobs/<job>            latest HealthReport
//   GET  /api/v1/jobs/<job>/history
//   POST /api/v1/jobs/<job>/migrations {"from": …, "to": …, "at": <ms>}
//   GET  /api/v1/jobs/<job>/rollback
// <job> is the job name (stable identity) or its current job id.

#include <functional>

#include "common/http/server.h"
#include "scorer/job_registry.h"

namespace vitals::scorer {

class JobsApi {
 public:
  using Clock = std::function<int64_t()>;
  JobsApi(JobRegistry* registry, Clock clock) : registry_(registry), clock_(std::move(clock)) {}

  void Register(http::Server& server);
  http::Response Handle(const http::Request& request) const;

 private:
  http::Response ListJobs(const http::Request& request) const;

  JobRegistry* registry_;
  Clock clock_;
};

}  // namespace vitals::scorer
