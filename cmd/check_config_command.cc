#include <cstdio>

#include "cmd/commands.h"
#include "cmd/config_file.h"
#include "cmd/flags.h"

namespace vitals::cmd {

int RunCheckConfig(const Args& args) {
  FlagSet flags("check-config", "FILE...",
                "Validates Vitals config files: YAML syntax, unknown or misspelled keys (named by\n"
                "their path, e.g. gateway.kafka.topicc), types, ranges and Kafka properties.\n"
                "Exits 0 when every file is valid, 1 otherwise.");
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "vitals check-config: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (flags.positional().empty()) {
    std::fputs(flags.Usage().c_str(), stderr);
    return 2;
  }
  int failures = 0;
  for (const std::string& file : flags.positional()) {
    absl::StatusOr<VitalsConfig> config = LoadConfig(file);
    if (config.ok()) {
      std::printf("%s: ok\n", file.c_str());
    } else {
      ++failures;
      std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace vitals::cmd
