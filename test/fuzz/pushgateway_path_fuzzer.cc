// Feeds arbitrary paths to the Pushgateway grouping-key decoder. Every key it
// accepts must keep its promises and survive a round trip: re-encoded with
// base64 for every value, it must decode to the same key.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/pushgateway/path.h"

namespace {
// The receiver's bound (PromTextLimits::max_labels).
constexpr size_t kMaxLabels = vitals::gateway::PromTextLimits().max_labels;
}  // namespace

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Base64Segment(const std::string& value) {
  if (value.empty()) return "=";
  std::string out;
  absl::WebSafeBase64Escape(value, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view path(reinterpret_cast<const char*>(data), size);
  const auto key = vitals::gateway::ParsePushgatewayPath(path, kMaxLabels);
  if (!key.ok()) {
    Check(key.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  Check(!key->job.empty());
  for (size_t i = 0; i < key->labels.size(); ++i) {
    const std::string& name = key->labels[i].first;
    Check(!name.empty() && name != "job" && name.rfind("__", 0) != 0);
    if (i > 0) Check(key->labels[i - 1].first < name);
  }
  const std::string canonical = key->Canonical();
  Check(canonical.rfind("{job=\"", 0) == 0 && canonical.back() == '}');

  std::string encoded = "job@base64/" + Base64Segment(key->job);
  for (const auto& [name, value] : key->labels) {
    encoded += "/" + name + "@base64/" + Base64Segment(value);
  }
  const auto again = vitals::gateway::ParsePushgatewayPath(encoded, kMaxLabels);
  Check(again.ok() && *again == *key && again->Canonical() == canonical);
  return 0;
}
