#pragma once

// ASCII case folding for the wire formats' keywords (NaN, Inf, counter, …):
// header-only, so that the pure parsers stay free of libraries.

#include <cstddef>
#include <string_view>

namespace vitals {

// `s` equals `lower` (given in lower case) ignoring the case of ASCII letters.
inline bool AsciiEqualsIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace vitals
