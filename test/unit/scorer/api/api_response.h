#pragma once

// Reading the scorer API's answers in tests: a header, the `error` of a
// JSON error body, a message in the proto3 JSON mapping.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/http/server.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace vitals::scorer::testing {

inline std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

inline std::string ErrorOf(const http::Response& r) {
  google::protobuf::Struct body;
  if (!google::protobuf::util::JsonStringToMessage(r.body, &body).ok()) return "<not JSON>";
  return body.fields().at("error").string_value();
}

template <typename M>
M Parse(const http::Response& r) {
  M m;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &m).ok()) << r.body;
  return m;
}

}  // namespace vitals::scorer::testing
