#pragma once

// The lifecycle shared by every long-lived part of the gateway and the
// scorer (receivers, sinks, loops, the HTTP server): started once, shut down
// once, each reporting what went wrong as a Status. The Gateway and the
// Scorer keep their parts in a ComponentList, which starts them in order and
// stops them in reverse, so that a part is up before whatever feeds it and
// down after it.

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vitals {

class Component {
 public:
  virtual ~Component() = default;

  // For logs and errors ("statsd receiver").
  virtual std::string_view component_name() const = 0;
  // Takes what the part needs (sockets, threads, clients) and begins work.
  // On error nothing of it is left running. Called at most once.
  virtual absl::Status Start() = 0;
  // Stops taking work and finishes or hands on what it holds. What is not
  // finished by `deadline` (real time) is abandoned and the Status says
  // what. OK when never started; a second call returns OK.
  virtual absl::Status Shutdown(absl::Time deadline) = 0;
};

}  // namespace vitals
