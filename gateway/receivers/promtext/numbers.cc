#include "gateway/receivers/promtext/numbers.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <system_error>

#include "common/base/ascii.h"

namespace vitals::gateway::promtext_internal {
namespace {

// from_chars reports both overflow and underflow to zero as out of range. Go's
// ParseFloat (the 0.0.4 reference) rejects the first and reads the second as 0;
// OpenMetrics says numbers must fit a double. Decides which one `digits` (an
// unsigned decimal that from_chars matched completely) is.
bool UnderflowsToZero(std::string_view digits) {
  size_t i = 0;
  const size_t n = digits.size();
  int64_t int_digits = 0;  // significant digits before the point
  int64_t frac_zeros = 0;  // zeros after the point before the first significant digit
  bool significant = false;
  for (; i < n && digits[i] >= '0' && digits[i] <= '9'; ++i) {
    if (significant || digits[i] != '0') {
      significant = true;
      ++int_digits;
    }
  }
  if (i < n && digits[i] == '.') {
    for (++i; i < n && digits[i] >= '0' && digits[i] <= '9'; ++i) {
      if (!significant) {
        if (digits[i] == '0') {
          ++frac_zeros;
        } else {
          significant = true;
        }
      }
    }
  }
  int64_t exponent = 0;
  if (i < n && (digits[i] == 'e' || digits[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < n && (digits[i] == '+' || digits[i] == '-')) negative = digits[i++] == '-';
    for (; i < n; ++i) exponent = std::min<int64_t>(exponent * 10 + (digits[i] - '0'), 1'000'000);
    if (negative) exponent = -exponent;
  }
  const int64_t magnitude = (int_digits > 0 ? int_digits : -frac_zeros) + exponent;
  return magnitude <= 0;
}

}  // namespace

bool ParseNumber(std::string_view s, bool special, double& out) {
  if (s.empty()) return false;
  bool negative = false;
  std::string_view rest = s;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
    if (rest.empty()) return false;
  }
  const char first = rest[0];
  if ((first >= '0' && first <= '9') || first == '.') {
    double value = 0;
    const char* end = rest.data() + rest.size();
    const auto [ptr, ec] = std::from_chars(rest.data(), end, value, std::chars_format::general);
    if (ptr != end) return false;
    if (ec == std::errc::result_out_of_range) {
      if (!UnderflowsToZero(rest)) return false;
      value = 0;
    } else if (ec != std::errc()) {
      return false;
    }
    out = negative ? -value : value;
    return true;
  }
  if (!special) return false;
  if (AsciiEqualsIgnoreCase(rest, "inf") || AsciiEqualsIgnoreCase(rest, "infinity")) {
    out = negative ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
    return true;
  }
  if (rest.size() == s.size() && AsciiEqualsIgnoreCase(rest, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return false;
}

}  // namespace vitals::gateway::promtext_internal
