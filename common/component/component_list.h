#pragma once

// The ordered parts of a server. StartAll starts them in the order added;
// when one fails, those already started are shut down in reverse, so a
// failed start leaves nothing running. ShutdownAll stops the started ones in
// reverse order: a part added after another (a receiver after the sink it
// feeds) stops before it, and the sink still sees the receiver's last data.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/component/component.h"

namespace vitals {

class ComponentList {
 public:
  // `owner` prefixes errors and logs ("gateway").
  explicit ComponentList(std::string owner) : owner_(std::move(owner)) {}

  // Not owned; must outlive the list's use. Before StartAll.
  void Add(Component* component) { components_.push_back(component); }

  // The first error, prefixed with the component's name, after rolling
  // back (each rolled-back part given `rollback_timeout`).
  absl::Status StartAll(absl::Duration rollback_timeout = absl::Seconds(10));
  // Every started part, in reverse, each by `deadline`; all are asked even
  // when one fails. The first error, prefixed with the component's name.
  absl::Status ShutdownAll(absl::Time deadline);

  size_t started() const { return started_; }

 private:
  std::string owner_;
  std::vector<Component*> components_;
  // components_[0, started_) are running.
  size_t started_ = 0;
};

}  // namespace vitals
