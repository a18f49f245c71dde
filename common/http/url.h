#pragma once

// URL pieces the HTTP server and client share.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::http {

// Decodes %XX escapes (and '+' as space only when `plus_is_space`);
// malformed escapes are kept literally.
std::string PercentDecode(std::string_view in, bool plus_is_space = true);
// Encodes everything but unreserved characters (RFC 3986).
std::string PercentEncode(std::string_view in);
// Encodes only what cannot stand in a request target as written (controls,
// space, non-ASCII, '<', '>', '"'): a target echoed back, e.g. in `Link`.
std::string EscapeTarget(std::string_view target);

struct Url {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";  // path and query
  bool tls = false;          // https
};

// Parses `http://host[:port][/path]` and `https://…` (port 443 by default).
absl::StatusOr<Url> ParseUrl(std::string_view url);

}  // namespace vitals::http

namespace vitals::http {

// Parses a listen address `host:port` (`:port` means all interfaces).
absl::Status ParseHostPort(std::string_view text, std::string* host, uint16_t* port);

}  // namespace vitals::http
