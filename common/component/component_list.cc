#include "common/component/component_list.h"

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/log/log.h"

namespace vitals {
namespace {

absl::Status Named(const Component& component, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(AsAbsl(component.component_name()), ": ", status.message()));
}

}  // namespace

absl::Status ComponentList::StartAll(absl::Duration rollback_timeout) {
  while (started_ < components_.size()) {
    Component& next = *components_[started_];
    if (absl::Status s = next.Start(); !s.ok()) {
      absl::Status failed = Named(next, s);
      log::Error(
          absl::StrCat(owner_, " failed to start: stopping what started"),
          {{"component", std::string(next.component_name())}, {"error", std::string(s.message())}});
      (void)ShutdownAll(absl::Now() + rollback_timeout);
      return failed;
    }
    ++started_;
  }
  return absl::OkStatus();
}

absl::Status ComponentList::ShutdownAll(absl::Time deadline) {
  absl::Status first;
  while (started_ > 0) {
    Component& last = *components_[--started_];
    if (absl::Status s = last.Shutdown(deadline); !s.ok()) {
      log::Warn(
          absl::StrCat(owner_, ": component stopped with an error"),
          {{"component", std::string(last.component_name())}, {"error", std::string(s.message())}});
      if (first.ok()) first = Named(last, s);
    }
  }
  return first;
}

}  // namespace vitals
