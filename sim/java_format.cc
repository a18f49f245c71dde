#include "sim/java_format.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace vitals::sim {
namespace {

// Lays out shortest scientific digits ("d.ddde±x" from std::to_chars) the
// way java.lang.Double/Float.toString do: positional within [1e-3, 1e7),
// computerized scientific notation ("1.0E7") outside.
void AppendJavaLayout(const char* sci, const char* end, std::string* out) {
  const char* p = sci;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];
  int num_digits = 0;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[num_digits++] = *p;
  }
  int exponent = 0;
  if (p < end) {  // "e+07" / "e-04"
    ++p;
    const bool negative = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    std::from_chars(p, end, exponent);
    if (negative) exponent = -exponent;
  }
  if (exponent >= -3 && exponent < 7) {
    if (exponent >= 0) {
      for (int i = 0; i <= exponent; ++i) out->push_back(i < num_digits ? digits[i] : '0');
      out->push_back('.');
      if (num_digits > exponent + 1) {
        out->append(digits + exponent + 1, num_digits - exponent - 1);
      } else {
        out->push_back('0');
      }
    } else {
      out->append("0.");
      out->append(static_cast<size_t>(-exponent - 1), '0');
      out->append(digits, num_digits);
    }
    return;
  }
  out->push_back(digits[0]);
  out->push_back('.');
  if (num_digits > 1) {
    out->append(digits + 1, num_digits - 1);
  } else {
    out->push_back('0');
  }
  out->push_back('E');
  char exp_buf[8];
  auto [exp_end, ec] = std::to_chars(exp_buf, exp_buf + sizeof(exp_buf), exponent);
  out->append(exp_buf, exp_end);
}

template <typename T>
void AppendJava(T value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (value == 0) {
    out->append(std::signbit(value) ? "-0.0" : "0.0");
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  AppendJavaLayout(buf, end, out);
}

}  // namespace

void AppendJavaDouble(double value, std::string* out) { AppendJava(value, out); }

void AppendJavaFloat(float value, std::string* out) { AppendJava(value, out); }

void AppendGoDouble(double value, std::string* out) {
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  AppendJava(value, out);
}

void AppendPlainDecimal(double value, std::string* out) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed);
  if (ec != std::errc()) return;
  out->append(buf, end);
  for (const char* p = buf; p < end; ++p) {
    if (*p == '.') return;
  }
  out->append(".0");
}

void AppendInt(int64_t value, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, end);
}

}  // namespace vitals::sim
