#include <algorithm>
#include <cstdio>

#include "cmd/commands.h"
#include "cmd/config_file.h"
#include "cmd/flags.h"

namespace vitals::cmd {
namespace {

// One key a line: path, default, description (with the key's constraints),
// in columns wide enough for the longest path and a typical default.
void PrintKeys() {
  const std::vector<config::KeyInfo> keys = ListConfigKeys();
  size_t path_width = 0;
  for (const config::KeyInfo& key : keys) path_width = std::max(path_width, key.path.size());
  constexpr int kDefaultWidth = 16;
  for (const config::KeyInfo& key : keys) {
    std::printf("%-*s  %-*s  %s\n", static_cast<int>(path_width), key.path.c_str(), kDefaultWidth,
                key.default_value.c_str(), key.description.c_str());
  }
}

}  // namespace

int RunCheckConfig(const Args& args) {
  bool list_keys = false;
  FlagSet flags("check-config", "FILE... | --list-keys",
                "Validates Vitals config files: YAML syntax, unknown or misspelled keys (named by\n"
                "their path, e.g. gateway.kafka.topicc), types, ranges and Kafka properties.\n"
                "Exits 0 when every file is valid, 1 otherwise.\n"
                "\n"
                "--list-keys prints every key the file may hold instead, one a line: its full\n"
                "path (list items as scorer.scoring.user_defined[].name), its default and what\n"
                "it means, with the values it accepts.");
  flags.Bool("list-keys", &list_keys, "print every config key with its default and meaning");
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "vitals check-config: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (list_keys) {
    PrintKeys();
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
