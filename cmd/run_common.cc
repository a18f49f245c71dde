#include "cmd/run_common.h"

#include <cstdio>
#include <map>

#include "cmd/commands.h"
#include "common/log/log.h"

namespace vitals::cmd {

namespace {

// A key's built-in default as check-config --list-keys shows it; empty for
// a path that is not a declared key.
std::string ConfigKeyDefault(std::string_view key) {
  static const auto* defaults = [] {
    auto* by_path = new std::map<std::string, std::string, std::less<>>;
    for (const config::KeyInfo& info : ListConfigKeys()) {
      (*by_path)[info.path] = info.default_value;
    }
    return by_path;
  }();
  const auto it = defaults->find(key);
  return it == defaults->end() ? std::string() : it->second;
}

}  // namespace

void AddCommonFlags(FlagSet& flags, CommonFlags* common) {
  flags.SetConfigDefaults(ConfigKeyDefault);
  flags.String("config", &common->config_file, "YAML config file (see docs/configuration.md)");
  flags.String("log-level", &common->log_level, "debug, info, warn or error")
      .FromConfig("log_level");
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
