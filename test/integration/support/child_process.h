#pragma once

// Runs a program (the `vitals` binary) as a child process for integration
// tests: its stdout is read line by line, stderr is kept in a file that a
// failing test prints, and the child is stopped with SIGTERM like a real
// deployment would stop it.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace vitals::testing {

class ChildProcess {
 public:
  // argv[0] is the program path.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();

  bool Start();
  // The next stdout line, or nullopt on timeout/EOF.
  std::optional<std::string> ReadLine(absl::Duration timeout);
  // Reads stdout lines until one starts with `prefix` (after leading
  // spaces); returns the rest of that line.
  std::optional<std::string> WaitForLine(const std::string& prefix, absl::Duration timeout);
  // Sends SIGTERM and waits; the exit code, or -signal when killed, or
  // nullopt when it did not exit in time (then it is killed).
  std::optional<int> Terminate(absl::Duration timeout);
  std::string Stderr() const;
  pid_t pid() const { return pid_; }

 private:
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string buffer_;
};

// The `vitals` binary under test ($VITALS_BINARY, set by ctest).
std::string VitalsBinary();

}  // namespace vitals::testing
