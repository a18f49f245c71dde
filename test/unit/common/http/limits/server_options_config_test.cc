#include "common/http/server_options_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vitals::http {
namespace {

using ::testing::HasSubstr;

TEST(ServerOptionsConfigTest, ReadsLoadAndBodyLimits) {
  config::ConfigErrors errors;
  config::YamlMap map(YAML::Load("max_inflight_requests: 32\n"
                                 "retry_after: 5s\n"
                                 "max_line_bytes: 4096\n"
                                 "max_series_per_request: 500\n"),
                      "gateway.http", &errors);
  ServerOptions options;
  ParseServerOptions(map, &options);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(options.max_inflight_requests, 32);
  EXPECT_EQ(options.retry_after, absl::Seconds(5));
  EXPECT_EQ(options.max_line_bytes, 4096u);
  EXPECT_EQ(options.max_series_per_request, 500u);
  EXPECT_TRUE(ValidateServerOptions(options).ok());
}

TEST(ServerOptionsConfigTest, DefaultsAreTheDocumentedOnes) {
  config::ConfigErrors errors;
  config::YamlMap map(YAML::Node(), "gateway.http", &errors);
  ServerOptions options;
  ParseServerOptions(map, &options);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(options.max_inflight_requests, 256);
  EXPECT_EQ(options.retry_after, absl::Seconds(1));
  EXPECT_EQ(options.max_line_bytes, 64u * 1024);
  EXPECT_EQ(options.max_series_per_request, 100'000u);
}

TEST(ServerOptionsConfigTest, OutOfRangeLimitsAreErrorsAtTheirKey) {
  config::ConfigErrors errors;
  config::YamlMap map(YAML::Load("max_inflight_requests: 0\n"
                                 "retry_after: 0s\n"
                                 "max_line_bytes: 100\n"
                                 "max_series_per_request: -3\n"),
                      "gateway.http", &errors);
  ServerOptions options;
  ParseServerOptions(map, &options);
  const std::string message(errors.ToStatus().message());
  EXPECT_THAT(message, HasSubstr("gateway.http.max_inflight_requests: must be between 1"));
  EXPECT_THAT(message, HasSubstr("gateway.http.retry_after: must be between 1s and 1h"));
  EXPECT_THAT(message, HasSubstr("gateway.http.max_line_bytes: must be at least 1024"));
  EXPECT_THAT(message, HasSubstr("gateway.http.max_series_per_request: must be at least 1"));
  EXPECT_THAT(std::string(ValidateServerOptions(options).message()),
              HasSubstr("http.max_inflight_requests"));
}

}  // namespace
}  // namespace vitals::http
