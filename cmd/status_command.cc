// `vitals status`: the fleet table of any scorer, for on-call engineers and
// migration scripts (exit code 3 while a selected job is critical).

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "cmd/plan_table.h"
#include "cmd/run_common.h"
#include "cmd/signals.h"
#include "cmd/status_table.h"
#include "cmd/wave_table.h"
#include "common/http/client.h"
#include "common/http/url.h"
#include "google/protobuf/util/json_util.h"
#include "vitals/v1/health.pb.h"

namespace vitals::cmd {
namespace {

constexpr int kCritical = 3;  // exit code: some selected job is critical, a wave says rollback
constexpr int kHold = 4;      // exit code: a wave says hold (a job has no verdict yet)

struct StatusQuery {
  std::string scorer = "http://127.0.0.1:9095";
  std::string cluster, team, tenant, grade, state, prefix;
  // `plan` only.
  std::string queue;
  int64_t wave_size = 0;
  std::string user;
  http::ClientTls tls;
};

// The query string of the scorer's job list for the filters given.
std::string Filters(const StatusQuery& q) {
  std::string out;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"cluster", &q.cluster},
        {"team", &q.team},
        {"tenant", &q.tenant},
        {"grade", &q.grade},
        {"state", &q.state},
        {"prefix", &q.prefix}}) {
    if (!value->empty()) absl::StrAppend(&out, "&", name, "=", http::PercentEncode(*value));
  }
  return out;
}

// Basic auth for --user, the password from $VITALS_PASSWORD.
std::vector<std::pair<std::string, std::string>> AuthHeaders(const StatusQuery& q) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!q.user.empty()) {
    const char* password = std::getenv("VITALS_PASSWORD");
    headers.emplace_back("Authorization",
                         "Basic " + absl::Base64Escape(absl::StrCat(
                                        q.user, ":", password == nullptr ? "" : password)));
  }
  return headers;
}

// Every selected job's latest report, all pages of the list.
absl::StatusOr<v1::JobList> FetchJobs(const StatusQuery& q) {
  const std::vector<std::pair<std::string, std::string>> headers = AuthHeaders(q);
  v1::JobList all;
  for (size_t offset = 0;;) {
    const std::string url =
        absl::StrCat(q.scorer, "/api/v1/jobs?limit=1000&offset=", offset, Filters(q));
    absl::StatusOr<http::ClientResponse> r =
        http::Fetch("GET", url, {}, headers, absl::Seconds(10), q.tls);
    if (!r.ok()) return r.status();
    if (r->status != 200) {
      return absl::UnavailableError(absl::StrCat("GET ", url, ": ", r->status, " ", r->body));
    }
    v1::JobList page;
    if (!google::protobuf::util::JsonStringToMessage(r->body, &page).ok()) {
      return absl::DataLossError(absl::StrCat("GET ", url, ": not a job list"));
    }
    for (v1::HealthReport& report : *page.mutable_jobs()) *all.add_jobs() = std::move(report);
    size_t total = 0;
    if (!absl::SimpleAtoi(r->Header("X-Total-Count"), &total) || page.jobs_size() == 0 ||
        static_cast<size_t>(all.jobs_size()) >= total) {
      return all;
    }
    offset = static_cast<size_t>(all.jobs_size());
  }
}

// GETs `url` and reads the answer as `message`; false, having said why
// on stderr, when the scorer cannot be read or answers otherwise.
bool FetchMessage(const StatusQuery& q, const std::string& url, absl::Duration timeout,
                  google::protobuf::Message* message) {
  absl::StatusOr<http::ClientResponse> r =
      http::Fetch("GET", url, {}, AuthHeaders(q), timeout, q.tls);
  if (!r.ok()) {
    std::fprintf(stderr, "vitals status: %s\n", std::string(r.status().message()).c_str());
    return false;
  }
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = true;
  if (r->status != 200 ||
      !google::protobuf::util::JsonStringToMessage(r->body, message, parse).ok()) {
    std::fprintf(stderr, "vitals status: GET %s: %d %s\n", url.c_str(), r->status, r->body.c_str());
    return false;
  }
  return true;
}

void PrintJson(const google::protobuf::Message& message) {
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(message, &text);
  std::puts(text.c_str());
}

// Prints one view; the exit code it stands for.
int ShowOnce(const StatusQuery& q, bool json, bool ansi) {
  absl::StatusOr<v1::JobList> jobs = FetchJobs(q);
  if (!jobs.ok()) {
    std::fprintf(stderr, "vitals status: %s\n", std::string(jobs.status().message()).c_str());
    return 1;
  }
  bool critical = false;
  for (const v1::HealthReport& r : jobs->jobs()) critical |= r.grade() == "critical";
  if (json) {
    PrintJson(*jobs);
  } else {
    std::vector<v1::HealthReport> reports(jobs->jobs().begin(), jobs->jobs().end());
    std::string table = RenderStatusTable(reports, ansi);
    if (reports.empty()) table = "(no job matches)\n";
    std::fputs(table.c_str(), stdout);
  }
  std::fflush(stdout);
  return critical ? kCritical : 0;
}

// The wave's verdicts; the exit code it stands for (kWave*).
int ShowWave(const StatusQuery& q, const std::string& wave, bool json, bool ansi) {
  const std::string url = absl::StrCat(q.scorer, "/api/v1/waves/", http::PercentEncode(wave));
  v1::WaveStatus status;
  // The scorer asks each job's owner: longer than a job list may take.
  if (!FetchMessage(q, url, absl::Seconds(30), &status)) return 1;
  if (json) {
    PrintJson(status);
  } else {
    std::fputs(RenderWaveTable(status, ansi).c_str(), stdout);
  }
  std::fflush(stdout);
  if (status.verdict() == "proceed") return 0;
  if (status.verdict() == "rollback") return kCritical;
  return kHold;
}

// The order to move --cluster's jobs in; 0, or 1 when it cannot be read.
int ShowPlan(const StatusQuery& q, bool json) {
  std::string url = absl::StrCat(q.scorer, "/api/v1/waves/plan?limit=1000",
                                 q.wave_size > 0 ? absl::StrCat("&wave_size=", q.wave_size) : "");
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"cluster", &q.cluster},
        {"queue", &q.queue},
        {"team", &q.team},
        {"tenant", &q.tenant},
        {"prefix", &q.prefix}}) {
    if (!value->empty()) absl::StrAppend(&url, "&", name, "=", http::PercentEncode(*value));
  }
  v1::WavePlan plan;
  if (!FetchMessage(q, url, absl::Seconds(10), &plan)) return 1;
  if (json) {
    PrintJson(plan);
  } else {
    std::fputs(RenderPlanTable(plan).c_str(), stdout);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

int RunStatus(const Args& args) {
  StatusQuery q;
  bool json = false;
  bool watch = false;
  absl::Duration refresh = absl::Seconds(2);
  FlagSet flags("status", "[wave <wave> | plan] [--scorer URL] [filters] [--json] [--watch]",
                "Shows the jobs a scorer grades, worst first: job, cluster, state, score, grade,\n"
                "worst dimension and diagnosis. Filters narrow the jobs; all given must match.\n"
                "Exit code: 0 when no selected job is critical, 3 when one is (for migration\n"
                "scripts), 1 when the scorer cannot be read.\n\n"
                "`vitals status wave <wave>` shows a wave's verdict (proceed, hold, rollback)\n"
                "and each job's (keep, rollback, insufficient_data, rolled_back). Exit code:\n"
                "0 proceed, 3 rollback, 4 hold, 1 when the wave cannot be read.\n\n"
                "`vitals status plan --cluster <cluster> [--queue q] [--wave-size n]` proposes\n"
                "the order in which to move that cluster's jobs (least critical, then simplest\n"
                "topology and least state first) and lists the jobs to hold back.\n\n"
                "With a web config on the scorer, --user names the user and $VITALS_PASSWORD\n"
                "holds the password.\n\n"
                "Example: vitals status --cluster k8s-prod-eu --grade critical");
  flags.String("scorer", &q.scorer, "the scorer's base URL, http:// or https://");
  flags.String("ca-file", &q.tls.ca_file,
               "PEM CAs that verify an https scorer's certificate; empty: the system's");
  flags.String("cluster", &q.cluster, "only jobs on this cluster");
  flags.String("team", &q.team, "only jobs whose `team` job label is this");
  flags.String("tenant", &q.tenant, "only jobs of this tenant");
  flags.String("grade", &q.grade, "only jobs graded healthy, degraded, critical or unknown");
  flags.String("state", &q.state, "only jobs in this Flink state, e.g. running, restarting");
  flags.String("prefix", &q.prefix, "only jobs whose name starts with this");
  flags.String("queue", &q.queue, "plan: only jobs whose `queue` job label is this");
  flags.Int("wave-size", &q.wave_size, "plan: cut the order into waves of this many jobs");
  flags.String("user", &q.user, "basic-auth user; the password is read from $VITALS_PASSWORD");
  flags.Bool("json", &json, "print the JobList as JSON instead of the table");
  flags.Bool("watch", &watch, "redraw every --refresh until interrupted");
  flags.Duration("refresh", &refresh, "how often --watch redraws");
  int exit = 0;
  if (!ParseFlags(flags, args, &exit)) return exit;
  std::string wave;
  bool plan = false;
  std::vector<std::string> positional = flags.positional();
  if (!positional.empty() && positional.front() == "plan") {
    if (q.cluster.empty()) {
      std::fprintf(stderr, "vitals status: plan: name the cluster the jobs leave (--cluster)\n");
      return 2;
    }
    if (q.wave_size < 0) {
      std::fprintf(stderr, "vitals status: plan: --wave-size is a number of jobs, 1 or more\n");
      return 2;
    }
    plan = true;
    positional.erase(positional.begin());
  } else if (!positional.empty() && positional.front() == "wave") {
    if (positional.size() < 2 || positional[1].empty()) {
      std::fprintf(stderr, "vitals status: wave: name the wave (vitals status wave <wave>)\n");
      return 2;
    }
    wave = positional[1];
    positional.erase(positional.begin(), positional.begin() + 2);
  }
  if (!positional.empty()) {
    std::fprintf(stderr, "vitals status: unexpected argument \"%s\"\n", positional.front().c_str());
    return 2;
  }
  if (absl::StatusOr<http::Url> url = http::ParseUrl(q.scorer + "/"); !url.ok()) {
    std::fprintf(stderr, "vitals status: --scorer: %s\n",
                 std::string(url.status().message()).c_str());
    return 2;
  }
  while (!q.scorer.empty() && q.scorer.back() == '/') q.scorer.pop_back();
  const bool ansi = !json && isatty(STDOUT_FILENO) != 0;
  const auto show = [&] {
    if (plan) return ShowPlan(q, json);
    return wave.empty() ? ShowOnce(q, json, ansi) : ShowWave(q, wave, json, ansi);
  };
  if (!watch) return show();
  int code = 0;
  do {
    if (ansi) std::fputs("\x1b[H\x1b[2J", stdout);
    // As watch(1) heads its screen: what is shown, how often, as of when.
    if (!json) {
      std::printf(
          "Every %s: %s%s%s  %s\n\n", absl::FormatDuration(refresh).c_str(), q.scorer.c_str(),
          wave.empty() ? "" : " wave ", wave.c_str(),
          absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now(), absl::UTCTimeZone()).c_str());
    }
    code = show();
  } while (WaitForSignal(refresh) != SignalEvent::kTerminate);
  return code;
}

}  // namespace vitals::cmd
