#pragma once

// Request bodies with `Content-Encoding: gzip` (Pushgateway clients,
// Influx writers). The output is capped so that a small compressed body
// cannot expand into gigabytes. And response bodies for clients that send
// `Accept-Encoding: gzip`.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/http/server.h"

namespace vitals::http {

// InvalidArgument for corrupt input, ResourceExhausted beyond max_bytes.
absl::StatusOr<std::string> Gunzip(std::string_view compressed, size_t max_bytes);

std::string Gzip(std::string_view plain);

// True when an `Accept-Encoding` value accepts gzip (`gzip`, `x-gzip` or
// `*`, with a q-value above 0).
bool AcceptsGzip(std::string_view accept_encoding);

// Gzips `response`'s body in place when `request` accepts it, the body is
// at least `min_bytes` (below that the gzip framing outweighs the saving)
// and not already encoded; always adds `Vary: Accept-Encoding`, since the
// answer depends on it.
void GzipIfAccepted(const Request& request, Response& response, size_t min_bytes = 512);

}  // namespace vitals::http
