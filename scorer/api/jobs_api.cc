#include "scorer/api/jobs_api.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "common/base/json_string.h"
#include "common/base/strings.h"
#include "common/http/url.h"
#include "google/protobuf/util/json_util.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kJobsPath = "/api/v1/jobs";

http::Response JsonError(int status, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(message, &body);
  body.append("}\n");
  return http::Response::Json(status, std::move(body));
}

http::Response ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return JsonError(500, "cannot render JSON");
  }
  json.push_back('\n');
  return http::Response::Json(200, std::move(json));
}

}  // namespace

void JobsApi::Register(http::Server& server) {
  server.Route("GET", std::string(kJobsPath), [this](const auto& r) { return Handle(r); });
  server.Route("", absl::StrCat(AsAbsl(kJobsPath), "/"),
               [this](const auto& r) { return Handle(r); });
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
  const std::string cluster = request.QueryParam("cluster");
  v1::JobList list;
  for (v1::HealthReport& report : registry_->Latest()) {
    if (report.score() > max_score) continue;
    if (!cluster.empty() && report.cluster() != cluster) continue;
    *list.add_jobs() = std::move(report);
  }
  std::sort(list.mutable_jobs()->begin(), list.mutable_jobs()->end(),
            [](const auto& a, const auto& b) { return a.score() < b.score(); });
  return ToJson(list);
}

http::Response JobsApi::Migrations(const http::Request& request, const std::string& job) const {
  if (request.method() == "GET") {
    std::optional<v1::MigrationList> list = registry_->Migrations(job);
    if (!list) return JsonError(404, absl::StrCat("no job ", job));
    return ToJson(*list);
  }
  if (request.method() != "POST") return JsonError(405, "use GET to list or POST to record");
  v1::Migration migration;
  const std::string body(request.body());
  if (!google::protobuf::util::JsonStringToMessage(body, &migration).ok()) {
    return JsonError(400, R"(expected {"from": "<cluster>", "to": "<cluster>", "at": <ms>})");
  }
  if (migration.from().empty() || migration.to().empty()) {
    return JsonError(400, "from and to are required");
  }
  if (migration.at() == 0) migration.set_at(clock_());
  absl::StatusOr<std::string> key = registry_->AddMigration(job, migration);
  if (!key.ok()) return JsonError(404, std::string(key.status().message()));
  if (on_migration_) on_migration_(*key);
  http::Response r = ToJson(migration);
  r.status = 201;
  return r;
}

http::Response JobsApi::Handle(const http::Request& request) const {
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
    if (!report) return JsonError(404, absl::StrCat("no report for job ", job));
    return ToJson(*report);
  }
  if (action == "history") {
    if (request.method() != "GET") return JsonError(405, "method not allowed");
    std::optional<v1::JobHistory> history = registry_->History(job);
    if (!history) return JsonError(404, absl::StrCat("no history for job ", job));
    return ToJson(*history);
  }
  if (action == "migrations") return Migrations(request, job);
  if (action == "rollback") {
    if (request.method() != "GET") return JsonError(405, "method not allowed");
    std::optional<v1::RollbackVerdict> verdict = registry_->Rollback(job, clock_());
    if (!verdict) return JsonError(404, absl::StrCat("no job ", job));
    return ToJson(*verdict);
  }
  return JsonError(404, absl::StrCat("no such resource: ", AsAbsl(action)));
}

}  // namespace vitals::scorer
