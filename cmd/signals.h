#pragma once

// Termination handling for the long-running commands: signals are blocked
// in every thread and awaited in one place, so shutdown runs as ordinary
// code (flushes, Kafka acknowledgements) instead of inside a handler.

#include "absl/time/time.h"

namespace vitals::cmd {

// Call first thing in main, before any thread starts.
void BlockTerminationSignals();

enum class SignalEvent { kTerminate, kReload, kTimeout };

// Waits up to `timeout` for SIGTERM/SIGINT (kTerminate) or SIGHUP (kReload).
SignalEvent WaitForSignal(absl::Duration timeout);

}  // namespace vitals::cmd
