#pragma once

// Each subcommand of the `vitals` binary: takes the arguments after its
// name, returns the process exit code.

#include <string>
#include <vector>

namespace vitals::cmd {

using Args = std::vector<std::string>;

int RunGateway(const Args& args);
int RunScorer(const Args& args);
int RunStandalone(const Args& args);
int RunSimulate(const Args& args);
int RunCheckConfig(const Args& args);
int RunStatus(const Args& args);

}  // namespace vitals::cmd
