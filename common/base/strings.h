#pragma once

// Debian 12's abseil is built with its own absl::string_view, which does not
// convert from std::string_view. The project speaks std::string_view; this
// adapter is the one crossing point into abseil's string functions.

#include <string_view>

#include "absl/strings/string_view.h"

namespace vitals {

inline absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace vitals
