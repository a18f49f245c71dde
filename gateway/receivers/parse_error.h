#pragma once

// Every parser reports errors the same way: a 1-based line number and a
// reason, carried in an InvalidArgument status as "line N: reason" so that
// the HTTP layer can hand it to the client unchanged.

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::gateway {

inline absl::Status LineError(size_t line, std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", AsAbsl(reason)));
}

}  // namespace vitals::gateway
