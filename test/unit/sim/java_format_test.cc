#include "sim/java_format.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vitals::sim {
namespace {

std::string JavaDouble(double v) {
  std::string out;
  AppendJavaDouble(v, &out);
  return out;
}
std::string JavaFloat(float v) {
  std::string out;
  AppendJavaFloat(v, &out);
  return out;
}
std::string GoDouble(double v) {
  std::string out;
  AppendGoDouble(v, &out);
  return out;
}
std::string Plain(double v) {
  std::string out;
  AppendPlainDecimal(v, &out);
  return out;
}

TEST(JavaFormatTest, DoubleToStringLayout) {
  EXPECT_EQ(JavaDouble(0), "0.0");
  EXPECT_EQ(JavaDouble(1), "1.0");
  EXPECT_EQ(JavaDouble(-1), "-1.0");
  EXPECT_EQ(JavaDouble(100), "100.0");
  EXPECT_EQ(JavaDouble(0.5), "0.5");
  EXPECT_EQ(JavaDouble(1234567), "1234567.0");
  EXPECT_EQ(JavaDouble(9999999), "9999999.0");
  EXPECT_EQ(JavaDouble(1e7), "1.0E7");
  EXPECT_EQ(JavaDouble(12345678), "1.2345678E7");
  EXPECT_EQ(JavaDouble(5.5132808e7), "5.5132808E7");
  EXPECT_EQ(JavaDouble(0.001), "0.001");
  EXPECT_EQ(JavaDouble(0.0001), "1.0E-4");
  EXPECT_EQ(JavaDouble(1.5e-10), "1.5E-10");
  EXPECT_EQ(JavaDouble(1073741824), "1.073741824E9");
  EXPECT_EQ(JavaDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(JavaDouble(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(JavaDouble(INFINITY), "Infinity");
  EXPECT_EQ(JavaDouble(-INFINITY), "-Infinity");
}

TEST(JavaFormatTest, FloatToStringUsesFloatDigits) {
  EXPECT_EQ(JavaFloat(0.1f), "0.1");
  EXPECT_EQ(JavaDouble(static_cast<double>(0.1f)), "0.10000000149011612");
  EXPECT_EQ(JavaFloat(1.0f), "1.0");
  EXPECT_EQ(JavaFloat(3e10f), "3.0E10");
}

TEST(JavaFormatTest, GoStyleSpecialValues) {
  EXPECT_EQ(GoDouble(INFINITY), "+Inf");
  EXPECT_EQ(GoDouble(-INFINITY), "-Inf");
  EXPECT_EQ(GoDouble(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(GoDouble(2), "2.0");
}

TEST(JavaFormatTest, PlainDecimalNeverUsesAnExponent) {
  EXPECT_EQ(Plain(5.5e7), "55000000.0");
  EXPECT_EQ(Plain(1e-5), "0.00001");
  EXPECT_EQ(Plain(0.1), "0.1");
  EXPECT_EQ(Plain(-2), "-2.0");
  EXPECT_EQ(Plain(1896.8005929753574), "1896.8005929753574");
}

}  // namespace
}  // namespace vitals::sim
