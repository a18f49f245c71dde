#include "scorer/api/waves_api.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/cluster_name.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"
#include "common/http/client.h"
#include "common/http/gzip.h"
#include "common/http/url.h"
#include "google/protobuf/util/json_util.h"
#include "scorer/api/api_answers.h"
#include "scorer/api/jobs_api.h"
#include "scorer/api/known_reports.h"
#include "scorer/job_key.h"
#include "scorer/waves/wave_plan.h"
#include "scorer/waves/wave_verdict.h"

namespace vitals::scorer {
namespace {

constexpr std::string_view kWavesPath = "/api/v1/waves";
constexpr std::string_view kPlanPath = "/api/v1/waves/plan";

bool IsPrintable(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

// Whether two records of a name are the same wave: a retried POST.
bool SameWave(const v1::Wave& a, const v1::Wave& b) {
  return a.from() == b.from() && a.to() == b.to() && a.at() == b.at() &&
         std::equal(a.jobs().begin(), a.jobs().end(), b.jobs().begin(), b.jobs().end());
}

// A job label's name as the gateways keep it (Prometheus's rule, less ':').
bool IsLabelName(std::string_view name) {
  return !name.empty() && name.size() <= 128 && IsLabelValueSafe(name) &&
         !absl::ascii_isdigit(static_cast<unsigned char>(name[0]));
}

bool SelectorEmpty(const v1::WaveSelector& s) {
  return s.cluster().empty() && s.prefix().empty() && s.tenant().empty() && s.labels().empty();
}

}  // namespace

absl::Status ValidateWave(const v1::Wave& wave, int64_t now_ms) {
  if (wave.name().empty()) return absl::InvalidArgumentError("name: required");
  if (const std::string_view problem = ClusterNameProblem(wave.name()); !problem.empty()) {
    // An identity by the cluster-name rule; the message names a wave.
    return absl::InvalidArgumentError(
        absl::StrCat("name: ", wave.name().size() > kMaxClusterNameBytes
                                   ? "longer than 128 bytes"
                                   : "a wave name has only letters, digits, '_', '-' and '.'"));
  }
  if (wave.name() == kPlanPath.substr(kWavesPath.size() + 1)) {
    return absl::InvalidArgumentError("name: `plan` names the ordering helper, not a wave");
  }
  v1::Migration migration;
  migration.set_from(wave.from());
  migration.set_to(wave.to());
  migration.set_at(wave.at());
  if (absl::Status s = ValidateMigration(migration, now_ms); !s.ok()) return s;
  if (wave.from() == wave.to()) return absl::InvalidArgumentError("to: the same as from");
  if (wave.jobs().empty()) return absl::InvalidArgumentError("jobs: required (or a selector)");
  if (static_cast<size_t>(wave.jobs_size()) > kMaxWaveJobs) {
    return absl::InvalidArgumentError(
        absl::StrCat("jobs: ", wave.jobs_size(), " jobs, at most ", kMaxWaveJobs, " per wave"));
  }
  std::set<std::string_view> seen;
  for (const std::string& job : wave.jobs()) {
    if (job.empty() || job.size() > kMaxWaveJobNameBytes || !IsPrintable(job)) {
      return absl::InvalidArgumentError(
          absl::StrCat("jobs: a job name is 1 to ", kMaxWaveJobNameBytes, " printable bytes"));
    }
    if (!seen.insert(job).second) {
      return absl::InvalidArgumentError(absl::StrCat("jobs: ", job, " named twice"));
    }
  }
  return absl::OkStatus();
}

void WavesApi::Register(http::Server& server) {
  server.Route("", std::string(kWavesPath), [this](const auto& r) { return Handle(r); });
  server.Route("", absl::StrCat(AsAbsl(kWavesPath), "/"),
               [this](const auto& r) { return Handle(r); });
}

http::Response WavesApi::Handle(const http::Request& request) const {
  http::Response response;
  const std::string_view path = request.path();
  if (path == kWavesPath || path == "/api/v1/waves/") {
    if (request.method() == "POST") {
      response = Post(request);
    } else if (request.method() == "GET") {
      response = List(request);
    } else {
      response = JsonError(405, "use GET to list or POST to record");
    }
  } else if (path == kPlanPath) {
    response = request.method() == "GET" ? Plan(request) : JsonError(405, "use GET");
  } else {
    const std::string name =
        http::PercentDecode(path.substr(kWavesPath.size() + 1), /*plus_is_space=*/false);
    if (request.method() != "GET") {
      response = JsonError(405, "method not allowed");
    } else if (name.find('/') != std::string::npos) {
      response = JsonError(404, "no such resource");
    } else {
      response = Status(request, name);
    }
  }
  http::GzipIfAccepted(request, response);
  return response;
}

http::Response WavesApi::Post(const http::Request& request) const {
  if (request.body().size() > kMaxWaveBodyBytes) {
    return JsonError(413, absl::StrCat("body: over ", kMaxWaveBodyBytes, " bytes"));
  }
  v1::Wave wave;
  const std::string body(request.body());
  if (const auto s = google::protobuf::util::JsonStringToMessage(body, &wave); !s.ok()) {
    const auto message = s.message();
    return JsonError(400, absl::StrCat(R"(body: expected {"name": "<wave>", "from": "<cluster>", )"
                                       R"("to": "<cluster>", "at": <ms>, "jobs": ["<job>", …]}: )",
                                       absl::string_view(message.data(), message.size())));
  }
  if (wave.recorded_at_ms() != 0) return JsonError(400, "recordedAtMs: set by the scorer");
  const int64_t now_ms = clock_();
  if (wave.at() == 0) wave.set_at(now_ms);
  if (wave.has_selector()) {
    if (!wave.jobs().empty()) return JsonError(400, "selector: either jobs or a selector");
    if (SelectorEmpty(wave.selector())) {
      return JsonError(400, "selector: give cluster, prefix, tenant or labels");
    }
    std::vector<std::string> picked = Select(wave.selector());
    if (picked.empty()) return JsonError(400, "selector: matches no job");
    if (picked.size() > kMaxWaveJobs) {
      return JsonError(400, absl::StrCat("selector: matches ", picked.size(), " jobs, at most ",
                                         kMaxWaveJobs, " per wave"));
    }
    for (std::string& job : picked) wave.add_jobs(std::move(job));
  }
  if (absl::Status s = ValidateWave(wave, now_ms); !s.ok()) {
    return JsonError(400, std::string(s.message()));
  }
  if (std::optional<v1::Wave> held = parts_.book->Get(wave.name())) {
    if (SameWave(*held, wave)) return ToJson(*held, 200);
    return JsonError(409, absl::StrCat("name: a wave ", wave.name(),
                                       " is recorded with other clusters, time or jobs"));
  }
  wave.set_recorded_at_ms(now_ms);
  if (absl::Status s = parts_.writer->Write(wave); !s.ok()) {
    return JsonError(503, absl::StrCat("cannot record the wave: ", s.message()));
  }
  // At once here; every other replica when its follower reads the record.
  parts_.book->Put(wave);
  parts_.recorder->Apply(wave);
  return ToJson(wave, 201);
}

std::vector<std::string> WavesApi::Select(const v1::WaveSelector& selector) const {
  std::set<std::string> picked;
  for (const v1::HealthReport& r :
       KnownReports(*parts_.registry, parts_.fleet, parts_.self_url())) {
    if (SelectorMatches(selector, r)) picked.insert(JobKey(r.tenant(), r.job_name()));
  }
  return {picked.begin(), picked.end()};
}

http::Response WavesApi::Plan(const http::Request& request) const {
  absl::StatusOr<Page> page = ParsePage(request);
  if (!page.ok()) return JsonError(400, std::string(page.status().message()));
  WavePlanQuery query;
  v1::WaveSelector& selector = query.selector;
  selector.set_cluster(request.QueryParam("cluster"));
  if (selector.cluster().empty()) {
    return JsonError(400, "cluster: required, the cluster the jobs leave");
  }
  selector.set_prefix(request.QueryParam("prefix"));
  selector.set_tenant(request.QueryParam("tenant"));
  // The labels platforms put on jobs to cut waves by (a Yarn queue, the
  // owning team), as the job lists filter them.
  for (const char* label : {"queue", "team"}) {
    if (std::string value = request.QueryParam(label); !value.empty()) {
      (*selector.mutable_labels())[label] = std::move(value);
    }
  }
  if (std::string label = request.QueryParam("criticality_label"); !label.empty()) {
    if (!IsLabelName(label)) {
      return JsonError(400, "criticality_label: a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }
    query.criticality_label = std::move(label);
  }
  if (const std::string size = request.QueryParam("wave_size"); !size.empty()) {
    if (!absl::SimpleAtoi(size, &query.wave_size) || query.wave_size == 0 ||
        query.wave_size > kMaxWaveJobs) {
      return JsonError(400, absl::StrCat("wave_size: 1 to ", kMaxWaveJobs, " jobs"));
    }
  }
  v1::WavePlan plan =
      PlanWaves(KnownReports(*parts_.registry, parts_.fleet, parts_.self_url()), query);
  const size_t total = KeepPage(plan.mutable_jobs(), *page);
  http::Response r = ToJson(plan);
  AddPageHeaders(request, *page, total, r);
  return r;
}

http::Response WavesApi::List(const http::Request& request) const {
  absl::StatusOr<Page> page = ParsePage(request);
  if (!page.ok()) return JsonError(400, std::string(page.status().message()));
  v1::WaveList list;
  for (v1::Wave& wave : parts_.book->List()) *list.add_waves() = std::move(wave);
  const size_t total = KeepPage(list.mutable_waves(), *page);
  http::Response r = ToJson(list);
  AddPageHeaders(request, *page, total, r);
  return r;
}

v1::WaveJob WavesApi::JudgeJob(const v1::Wave& wave, const std::string& job,
                               const std::string& authorization, int64_t now_ms) const {
  if (std::optional<v1::RollbackVerdict> mine = parts_.registry->Rollback(job, now_ms)) {
    return JudgeWaveJob(wave, job, *mine);
  }
  if (parts_.fleet == nullptr) {
    return UnjudgedWaveJob(job, "not graded by this replica (fleet reads are off)");
  }
  std::optional<FleetReport> owner = parts_.fleet->Latest(job);
  if (!owner) return UnjudgedWaveJob(job, "no replica reports this job");
  if (!IsReplicaUrl(owner->replica_url)) {
    return UnjudgedWaveJob(job, "its reports name no replica to ask");
  }
  if (owner->replica_url == parts_.self_url()) {
    return UnjudgedWaveJob(job, "handed over by this replica; its new owner has not reported yet");
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
  const std::string url =
      absl::StrCat(owner->replica_url, "/api/v1/jobs/", http::PercentEncode(job), "/rollback");
  absl::StatusOr<http::ClientResponse> r = http::Fetch("GET", url, {}, headers, kOwnerTimeout);
  if (!r.ok()) {
    return UnjudgedWaveJob(job, absl::StrCat("its owner ", owner->replica_url,
                                             " did not answer: ", r.status().message()));
  }
  if (r->status != 200) {
    return UnjudgedWaveJob(job, absl::StrCat("its owner ", owner->replica_url, " answered ",
                                             r->status, " (a failover in progress: retry)"));
  }
  v1::RollbackVerdict verdict;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(r->body, &verdict, options).ok()) {
    return UnjudgedWaveJob(
        job, absl::StrCat("its owner ", owner->replica_url, " answered no rollback verdict"));
  }
  return JudgeWaveJob(wave, job, verdict);
}

http::Response WavesApi::Status(const http::Request& request, const std::string& name) const {
  std::optional<v1::Wave> wave = parts_.book->Get(name);
  if (!wave) {
    if (parts_.caught_up && !parts_.caught_up()) {
      return JsonError(503, absl::StrCat("no wave ", name, " yet: still reading the waves topic"));
    }
    return JsonError(404, absl::StrCat("no wave ", name));
  }
  const int64_t now_ms = clock_();
  const std::string authorization(request.Header("Authorization"));
  std::vector<v1::WaveJob> jobs(static_cast<size_t>(wave->jobs_size()));
  // Owners are asked in parallel: a wave of a thousand jobs on other
  // replicas answers in a few round trips, not a thousand.
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      jobs[i] = JudgeJob(*wave, wave->jobs(static_cast<int>(i)), authorization, now_ms);
    }
  };
  const size_t threads = std::min<size_t>(kOwnerFetchThreads, jobs.size());
  std::vector<std::thread> pool;
  pool.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return ToJson(CombineWave(*wave, std::move(jobs)));
}

}  // namespace vitals::scorer
