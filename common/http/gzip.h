#pragma once

// Request bodies with `Content-Encoding: gzip` (Pushgateway clients,
// Influx writers). The output is capped so that a small compressed body
// cannot expand into gigabytes.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::http {

// InvalidArgument for corrupt input, ResourceExhausted beyond max_bytes.
absl::StatusOr<std::string> Gunzip(std::string_view compressed, size_t max_bytes);

std::string Gzip(std::string_view plain);

}  // namespace vitals::http
