// The `vitals` binary: one executable, one subcommand per role.

#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "cmd/commands.h"
#include "cmd/signals.h"
#include "common/version/version.h"

namespace {

constexpr char kUsage[] = R"(vitals: metrics gateway and job-health scorer for Apache Flink fleets

Usage: vitals <command> [flags]

Commands:
  gateway       the per-node gateway: Pushgateway API, aggregation, Kafka and /metrics
  scorer        a scorer replica: grades jobs 0-10 from the gateway's aggregates
  standalone    gateway + scorer + an embedded Kafka in one process (laptop, demo, tests)
  simulate      a Flink fleet simulator and load generator pushing to a gateway
  check-config  validate a config file; exits non-zero naming each bad key
  status        the jobs a scorer grades, worst first (exit 3 while one is critical)

Run `vitals <command> --help` for the flags of a command, `vitals --version`
for the version and git revision of this binary.
)";

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil is built with absl::Mutex deadlock detection on: every
  // lock taken is recorded in a global graph, which costs a third of the
  // aggregator's per-sample fold. Lock order is checked where it is cheap:
  // -Wthread-safety in lint, and the detector stays on in the tests.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Connections take descriptors: the soft limit (often 1024) would run out
  // long before http.max_connections; the hard limit is the operator's.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  vitals::cmd::BlockTerminationSignals();
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  if (command == "--version") {
    std::puts(vitals::VersionLine().c_str());
    return 0;
  }
  const vitals::cmd::Args args(argv + 2, argv + argc);
  if (command == "gateway") return vitals::cmd::RunGateway(args);
  if (command == "scorer") return vitals::cmd::RunScorer(args);
  if (command == "standalone") return vitals::cmd::RunStandalone(args);
  if (command == "simulate") return vitals::cmd::RunSimulate(args);
  if (command == "check-config") return vitals::cmd::RunCheckConfig(args);
  if (command == "status") return vitals::cmd::RunStatus(args);
  std::fprintf(stderr, "vitals: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return 2;
}
