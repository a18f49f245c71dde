#pragma once

// What the scorer's JSON APIs (jobs_api.h, waves_api.h) answer alike: errors
// as `{"error": "…"}`, messages in the proto3 JSON mapping, paged lists
// (`?limit=&offset=`, `X-Total-Count`, `Link: <…>; rel="next"`), and which
// replica URLs may be sent to a client or fetched from.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "common/http/server.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace vitals::scorer {

// Items in one page of a list: the default, and the most a client may ask.
inline constexpr size_t kMaxPageItems = 1000;

http::Response JsonError(int status, std::string_view message);
// Zero values printed, field names in lowerCamelCase.
http::Response ToJson(const google::protobuf::Message& message, int status = 200);

struct Page {
  size_t offset = 0;
  size_t limit = kMaxPageItems;

  // [begin, end) of this page among `total` items.
  std::pair<size_t, size_t> Bounds(size_t total) const {
    const size_t begin = std::min(offset, total);
    return {begin, begin + std::min(limit, total - begin)};
  }
};

// `limit` (≥ 1, capped at kMaxPageItems) and `offset` (≥ 0);
// InvalidArgument naming the parameter.
absl::StatusOr<Page> ParsePage(const http::Request& request);

// `X-Total-Count`, and `Link: <…>; rel="next"` with the request's other
// parameters when items remain after this page.
void AddPageHeaders(const http::Request& request, const Page& page, size_t total,
                    http::Response& response);

// Keeps the page's items of `items`; returns how many there were.
template <typename T>
size_t KeepPage(google::protobuf::RepeatedPtrField<T>* items, const Page& page) {
  const size_t total = static_cast<size_t>(items->size());
  const auto [begin, end] = page.Bounds(total);
  items->DeleteSubrange(static_cast<int>(end), static_cast<int>(total - end));
  items->DeleteSubrange(0, static_cast<int>(begin));
  return total;
}

// Whether a replica URL from a report's header may stand in a Location
// header or be fetched from: an http(s) URL of printable ASCII without
// spaces. A URL that is not (a foreign producer's header) names no owner.
bool IsReplicaUrl(std::string_view url);

}  // namespace vitals::scorer
