#pragma once

// Number spellings of the JVM libraries behind Flink's reporters, so that
// rendered payloads are byte-for-byte what a real Flink process sends:
// Double.toString / Float.toString (StatsD values, Prometheus samples),
// the Prometheus client's Go-style special values, and influxdb-java's
// plain decimal NumberFormat. Digits are the shortest that round-trip,
// which is what Java 19+ prints and what older Javas print almost always.

#include <cstdint>
#include <string>

namespace vitals::sim {

// Double.toString: "12.0", "0.001", "1.2345678E7", "1.0E-4", "NaN",
// "Infinity", "-Infinity".
void AppendJavaDouble(double value, std::string* out);

// Float.toString: the same layout with float's shortest digits ("0.1").
void AppendJavaFloat(float value, std::string* out);

// Prometheus simpleclient's doubleToGoString: "+Inf", "-Inf", "NaN",
// otherwise Double.toString.
void AppendGoDouble(double value, std::string* out);

// influxdb-java's NumberFormat (English, no grouping, 1..340 fraction
// digits): never an exponent, at least one fraction digit ("55000000.0").
// Only meaningful for finite values.
void AppendPlainDecimal(double value, std::string* out);

void AppendInt(int64_t value, std::string* out);

}  // namespace vitals::sim
