#pragma once

// Escaping for the Prometheus text exposition format (0.0.4): a label
// value escapes backslash, double quote and line feed; HELP text only
// backslash and line feed. Header-only, for the pure parsers' neighbours.

#include <string>
#include <string_view>

namespace vitals {

// Appends `value` escaped for a quoted label value (or, with `quote`
// false, for a HELP line).
inline void AppendPromEscaped(std::string& out, std::string_view value, bool quote = true) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace vitals
