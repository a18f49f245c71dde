#include "scorer/api/jobs_api.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/cluster_name.h"
#include "common/base/json_string.h"
#include "common/base/strings.h"
#include "common/http/gzip.h"
#include "common/http/url.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/api/known_reports.h"
#include "scorer/job_key.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kJobsPath = "/api/v1/jobs";

// Cluster names are identities, checked as the gateway checks a pushed or
// scraped cluster (common/base/cluster_name.h), so that a migration can name
// every cluster the history points carry.
absl::Status CheckCluster(std::string_view field, const std::string& value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(AsAbsl(field), ": required"));
  if (const std::string_view problem = ClusterNameProblem(value); !problem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(AsAbsl(field), ": ", AsAbsl(problem)));
  }
  return absl::OkStatus();
}

// A job label of a report; empty when the job has none.
std::string LabelOf(const v1::HealthReport& report, const std::string& name) {
  auto it = report.job_labels().find(name);
  return it == report.job_labels().end() ? std::string() : it->second;
}

// Worst first; ungraded jobs (NaN) last; ties by name, so that pages of
// one ranking neither repeat nor skip a job.
bool WorseFirst(const v1::HealthReport& a, const v1::HealthReport& b) {
  const bool a_nan = std::isnan(a.score());
  const bool b_nan = std::isnan(b.score());
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.score() != b.score()) return a.score() < b.score();
  if (a.tenant() != b.tenant()) return a.tenant() < b.tenant();
  return a.job_name() < b.job_name();
}

}  // namespace

absl::Status ValidateMigration(const v1::Migration& migration, int64_t now_ms) {
  if (absl::Status s = CheckCluster("from", migration.from()); !s.ok()) return s;
  if (absl::Status s = CheckCluster("to", migration.to()); !s.ok()) return s;
  if (migration.at() <= 0) {
    return absl::InvalidArgumentError("at: expected epoch milliseconds after 1970");
  }
  if (migration.at() < now_ms - absl::ToInt64Milliseconds(kMigrationMaxAge)) {
    return absl::InvalidArgumentError(
        absl::StrCat("at: more than ", absl::FormatDuration(kMigrationMaxAge), " ago"));
  }
  if (migration.at() > now_ms + absl::ToInt64Milliseconds(kMigrationMaxAhead)) {
    return absl::InvalidArgumentError(
        absl::StrCat("at: more than ", absl::FormatDuration(kMigrationMaxAhead), " ahead"));
  }
  return absl::OkStatus();
}

void JobsApi::set_self_url(std::string url) {
  absl::MutexLock lock(&self_url_mu_);
  self_url_ = std::move(url);
}

std::string JobsApi::self_url() const {
  absl::MutexLock lock(&self_url_mu_);
  return self_url_;
}

void JobsApi::Register(http::Server& server) {
  server.Route("GET", std::string(kJobsPath), [this](const auto& r) { return Handle(r); });
  server.Route("", absl::StrCat(AsAbsl(kJobsPath), "/"),
               [this](const auto& r) { return Handle(r); });
}

http::Response JobsApi::Handle(const http::Request& request) const {
  http::Response response = Dispatch(request);
  http::GzipIfAccepted(request, response);
  return response;
}

http::Response JobsApi::ListJobs(const http::Request& request) const {
  double max_score = 10;
  const std::string max_text = request.QueryParam("max_score");
  if (!max_text.empty()) {
    auto [ptr, ec] = std::from_chars(max_text.data(), max_text.data() + max_text.size(), max_score);
    if (ec != std::errc() || ptr != max_text.data() + max_text.size()) {
      return JsonError(400, "max_score: expected a number");
    }
  }
  absl::StatusOr<Page> page = ParsePage(request);
  if (!page.ok()) return JsonError(400, std::string(page.status().message()));
  // Each filter given must match exactly; `prefix` matches the job name's
  // beginning.
  const std::string cluster = request.QueryParam("cluster");
  const std::string tenant = request.QueryParam("tenant");
  const std::string team = request.QueryParam("team");
  const std::string grade = request.QueryParam("grade");
  const std::string state = request.QueryParam("state");
  const std::string prefix = request.QueryParam("prefix");
  const auto differs = [](const std::string& wanted, const std::string& value) {
    return !wanted.empty() && value != wanted;
  };
  std::vector<v1::HealthReport> reports = KnownReports(*registry_, fleet_, self_url());
  std::erase_if(reports, [&](const v1::HealthReport& report) {
    return report.score() > max_score || differs(cluster, report.cluster()) ||
           differs(tenant, report.tenant()) || differs(team, LabelOf(report, "team")) ||
           differs(grade, report.grade()) || differs(state, report.state()) ||
           !absl::StartsWith(report.job_name(), prefix);
  });
  const size_t total = reports.size();
  const auto [begin, end] = page->Bounds(total);
  // Only the page needs to be in order.
  std::partial_sort(reports.begin(), reports.begin() + static_cast<std::ptrdiff_t>(end),
                    reports.end(), WorseFirst);
  v1::JobList list;
  for (size_t i = begin; i < end; ++i) *list.add_jobs() = std::move(reports[i]);
  http::Response r = ToJson(list);
  AddPageHeaders(request, *page, total, r);
  return r;
}

http::Response JobsApi::History(const http::Request& request, const std::string& job) const {
  if (request.method() != "GET") return JsonError(405, "method not allowed");
  absl::StatusOr<Page> page = ParsePage(request);
  if (!page.ok()) return JsonError(400, std::string(page.status().message()));
  std::optional<v1::JobHistory> history = registry_->History(job);
  if (!history) {
    return ElsewhereOr(request, job, JsonError(404, absl::StrCat("no history for job ", job)));
  }
  // The points are paged; the migrations beside them are few
  // (kMaxMigrationsPerJob) and come whole with every page.
  const size_t total = KeepPage(history->mutable_points(), *page);
  http::Response r = ToJson(*history);
  AddPageHeaders(request, *page, total, r);
  return r;
}

http::Response JobsApi::Migrations(const http::Request& request, const std::string& job) const {
  if (request.method() == "GET") {
    absl::StatusOr<Page> page = ParsePage(request);
    if (!page.ok()) return JsonError(400, std::string(page.status().message()));
    std::optional<v1::MigrationList> list = registry_->Migrations(job);
    if (!list) return ElsewhereOr(request, job, JsonError(404, absl::StrCat("no job ", job)));
    const size_t total = KeepPage(list->mutable_migrations(), *page);
    http::Response r = ToJson(*list);
    AddPageHeaders(request, *page, total, r);
    return r;
  }
  if (request.method() != "POST") return JsonError(405, "use GET to list or POST to record");
  if (request.body().size() > kMaxMigrationBodyBytes) {
    return JsonError(413, absl::StrCat("body: over ", kMaxMigrationBodyBytes, " bytes"));
  }
  v1::Migration migration;
  const std::string body(request.body());
  if (const auto s = google::protobuf::util::JsonStringToMessage(body, &migration); !s.ok()) {
    const auto message = s.message();
    return JsonError(400, absl::StrCat(R"(body: expected {"from": "<cluster>", "to": "<cluster>", )"
                                       R"("at": <ms>}: )",
                                       absl::string_view(message.data(), message.size())));
  }
  const int64_t now_ms = clock_();
  if (migration.at() == 0) migration.set_at(now_ms);
  if (absl::Status s = ValidateMigration(migration, now_ms); !s.ok()) {
    return JsonError(400, std::string(s.message()));
  }
  absl::StatusOr<std::string> key = registry_->AddMigration(job, migration);
  if (!key.ok()) {
    // 307 keeps the method and the body: the owner records it.
    return ElsewhereOr(request, job, JsonError(404, std::string(key.status().message())));
  }
  if (on_migration_) on_migration_(*key);
  return ToJson(migration, 201);
}

http::Response JobsApi::ElsewhereOr(const http::Request& request, const std::string& job,
                                    http::Response not_found) const {
  if (fleet_ == nullptr) return not_found;
  std::optional<FleetReport> owner = fleet_->Latest(job);
  // Never to itself: that would be a loop.
  if (!owner || !IsReplicaUrl(owner->replica_url) || owner->replica_url == self_url()) {
    return not_found;
  }
  const std::string location =
      absl::StrCat(owner->replica_url, http::EscapeTarget(request.target()));
  std::string body = "{\"location\":";
  AppendJsonString(location, &body);
  body.append("}\n");
  http::Response r = http::Response::Json(307, std::move(body));
  r.headers.emplace_back("Location", location);
  return r;
}

http::Response JobsApi::Dispatch(const http::Request& request) const {
  const std::string_view path = request.path();
  if (path == kJobsPath || path == "/api/v1/jobs/") {
    if (request.method() != "GET") return JsonError(405, "method not allowed");
    return ListJobs(request);
  }
  std::string_view rest = path.substr(kJobsPath.size() + 1);
  std::string_view action;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    action = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  const std::string job = http::PercentDecode(rest, /*plus_is_space=*/false);

  if (action.empty()) {
    if (request.method() != "GET") return JsonError(405, "method not allowed");
    std::optional<v1::HealthReport> report = registry_->Latest(job);
    if (!report && fleet_ != nullptr) {
      // As the list: not a report of this replica's of a job it let go of.
      std::optional<FleetReport> f = fleet_->Latest(job);
      const std::string self = self_url();
      if (f && (self.empty() || f->replica_url != self)) report = std::move(f->report);
    }
    if (!report) return JsonError(404, absl::StrCat("no report for job ", job));
    return ToJson(*report);
  }
  if (action == "history") return History(request, job);
  if (action == "migrations") return Migrations(request, job);
  if (action == "rollback") {
    if (request.method() != "GET") return JsonError(405, "method not allowed");
    std::optional<v1::RollbackVerdict> verdict = registry_->Rollback(job, clock_());
    if (!verdict) return ElsewhereOr(request, job, JsonError(404, absl::StrCat("no job ", job)));
    return ToJson(*verdict);
  }
  return JsonError(404, absl::StrCat("no such resource: ", AsAbsl(action)));
}

}  // namespace vitals::scorer
