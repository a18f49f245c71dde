#include "cmd/signals.h"

#include <signal.h>

#include <cerrno>
#include <ctime>

namespace vitals::cmd {
namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A closed stdout (e.g. `| head`) must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

SignalEvent WaitForSignal(absl::Duration timeout) {
  sigset_t set = TerminationSet();
  const timespec ts = absl::ToTimespec(timeout);
  const int sig = sigtimedwait(&set, nullptr, &ts);
  if (sig == SIGHUP) return SignalEvent::kReload;
  if (sig == SIGTERM || sig == SIGINT) return SignalEvent::kTerminate;
  return SignalEvent::kTimeout;
}

}  // namespace vitals::cmd
