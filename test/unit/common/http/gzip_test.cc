#include "common/http/gzip.h"

#include <gtest/gtest.h>

namespace vitals::http {
namespace {

TEST(GzipTest, RoundTrips) {
  const std::string text = "flink_jobmanager_job_numRestarts{job_name=\"a\",} 3.0\n";
  auto plain = Gunzip(Gzip(text), 1 << 20);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, text);
}

TEST(GzipTest, RefusesBombsAndGarbage) {
  const std::string zeros(1 << 20, '0');
  EXPECT_TRUE(absl::IsResourceExhausted(Gunzip(Gzip(zeros), 1000).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Gunzip("not gzip at all", 1000).status()));
  std::string truncated = Gzip("some text that compresses");
  truncated.resize(truncated.size() / 2);
  EXPECT_TRUE(absl::IsInvalidArgument(Gunzip(truncated, 1000).status()));
}

}  // namespace
}  // namespace vitals::http
