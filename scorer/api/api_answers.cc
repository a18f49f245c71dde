#include "scorer/api/api_answers.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/json_string.h"
#include "common/base/strings.h"
#include "common/http/url.h"
#include "google/protobuf/util/json_util.h"

namespace vitals::scorer {

http::Response JsonError(int status, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(message, &body);
  body.append("}\n");
  return http::Response::Json(status, std::move(body));
}

http::Response ToJson(const google::protobuf::Message& message, int status) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return JsonError(500, "cannot render JSON");
  }
  json.push_back('\n');
  return http::Response::Json(status, std::move(json));
}

namespace {

absl::Status ParseCount(const http::Request& request, std::string_view name, uint64_t min,
                        uint64_t* out) {
  const std::string text = request.QueryParam(name);
  if (text.empty()) return absl::OkStatus();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(name), ": expected a whole number of at least ", min));
  }
  *out = value;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Page> ParsePage(const http::Request& request) {
  uint64_t limit = kMaxPageItems;
  uint64_t offset = 0;
  if (absl::Status s = ParseCount(request, "limit", 1, &limit); !s.ok()) return s;
  if (absl::Status s = ParseCount(request, "offset", 0, &offset); !s.ok()) return s;
  // Asking for more than the cap is not an error: the client pages on.
  return Page{static_cast<size_t>(offset),
              static_cast<size_t>(std::min<uint64_t>(limit, kMaxPageItems))};
}

void AddPageHeaders(const http::Request& request, const Page& page, size_t total,
                    http::Response& response) {
  response.headers.emplace_back("X-Total-Count", absl::StrCat(total));
  if (page.offset >= total || total - page.offset <= page.limit) return;
  // The request target is echoed: escaped as a header value inside <…> needs.
  std::string link = absl::StrCat("<", http::EscapeTarget(request.path()), "?");
  for (absl::string_view param : absl::StrSplit(AsAbsl(request.query()), '&', absl::SkipEmpty())) {
    const absl::string_view name = param.substr(0, param.find('='));
    if (name == "limit" || name == "offset") continue;
    absl::StrAppend(&link, http::EscapeTarget(std::string_view(param.data(), param.size())), "&");
  }
  absl::StrAppend(&link, "limit=", page.limit, "&offset=", page.offset + page.limit,
                  ">; rel=\"next\"");
  response.headers.emplace_back("Link", std::move(link));
}

bool IsReplicaUrl(std::string_view url) {
  if (!absl::StartsWith(AsAbsl(url), "http://") && !absl::StartsWith(AsAbsl(url), "https://")) {
    return false;
  }
  return std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

}  // namespace vitals::scorer
