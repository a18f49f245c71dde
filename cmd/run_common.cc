#include "cmd/run_common.h"

#include <cstdio>

#include "cmd/commands.h"
#include "common/log/log.h"

namespace vitals::cmd {

void AddCommonFlags(FlagSet& flags, CommonFlags* common) {
  flags.String("config", &common->config_file, "YAML config file (see docs/configuration.md)");
  flags.String("log-level", &common->log_level, "debug, info, warn or error (overrides log_level)");
}

bool ParseFlags(FlagSet& flags, const Args& args, int* exit) {
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "vitals: %s\n", std::string(s.message()).c_str());
    *exit = 2;
    return false;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    *exit = 0;
    return false;
  }
  return true;
}

bool LoadAndApply(const CommonFlags& common, VitalsConfig* config) {
  absl::StatusOr<VitalsConfig> loaded = LoadConfig(common.config_file);
  if (!loaded.ok()) {
    std::fprintf(stderr, "vitals: bad config: %s\n",
                 std::string(loaded.status().message()).c_str());
    return false;
  }
  *config = std::move(*loaded);
  if (!common.log_level.empty()) config->log_level = common.log_level;
  log::Level level;
  if (!log::ParseLevel(config->log_level, &level)) {
    std::fprintf(stderr, "vitals: bad --log-level \"%s\"\n", config->log_level.c_str());
    return false;
  }
  log::SetLevel(level);
  return true;
}

}  // namespace vitals::cmd
