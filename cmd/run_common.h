#pragma once

// What the long-running commands share: reading the config file and the
// common flags, and waiting for termination.

#include <string>

#include "cmd/commands.h"
#include "cmd/config_file.h"
#include "cmd/flags.h"

namespace vitals::cmd {

struct CommonFlags {
  std::string config_file;
  std::string log_level;
};

// Registers --config and --log-level.
void AddCommonFlags(FlagSet& flags, CommonFlags* common);

// Parses flags (printing usage or the error); returns false with `*exit`
// set when the command should stop here.
bool ParseFlags(FlagSet& flags, const Args& args, int* exit);

// Loads the config named by --config and applies --log-level; prints the
// error and returns false on failure.
bool LoadAndApply(const CommonFlags& common, VitalsConfig* config);

}  // namespace vitals::cmd
