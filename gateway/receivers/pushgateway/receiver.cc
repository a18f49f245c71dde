#include "gateway/receivers/pushgateway/receiver.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/gzip.h"
#include "gateway/normalize/prom_normalizer.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kFormat = "pushgateway";
constexpr std::string_view kPrefix = "/metrics/";

}  // namespace

PushgatewayReceiver::PushgatewayReceiver(PushGroupStore* store, IngestMetrics* metrics,
                                         size_t max_body_bytes, Clock clock)
    : store_(store), metrics_(metrics), max_body_bytes_(max_body_bytes), clock_(std::move(clock)) {}

void PushgatewayReceiver::Register(http::Server& server) {
  for (const char* method : {"PUT", "POST", "DELETE"}) {
    server.Route(method, "/metrics/job", [this](const http::Request& r) { return Handle(r); });
    server.Route(method, "/metrics/job/", [this](const http::Request& r) { return Handle(r); });
    server.Route(method, "/metrics/job@base64/",
                 [this](const http::Request& r) { return Handle(r); });
  }
}

http::Response PushgatewayReceiver::Handle(const http::Request& request) {
  std::string_view path = request.path();
  absl::StatusOr<GroupingKey> key = ParsePushgatewayPath(path.substr(kPrefix.size()));
  if (!key.ok()) {
    metrics_->Rejected(kFormat, "bad_path");
    return http::Response::Text(400, std::string(key.status().message()));
  }
  if (request.method() == "DELETE") {
    store_->Delete(*key);
    return http::Response::Text(202, "");
  }

  std::string_view body = request.body();
  std::string inflated;
  if (absl::EqualsIgnoreCase(AsAbsl(request.Header("Content-Encoding")), "gzip")) {
    absl::StatusOr<std::string> plain = http::Gunzip(body, max_body_bytes_);
    if (!plain.ok()) {
      const bool too_big = absl::IsResourceExhausted(plain.status());
      metrics_->Rejected(kFormat, too_big ? "too_large" : "bad_encoding");
      return http::Response::Text(too_big ? 413 : 400, std::string(plain.status().message()));
    }
    inflated = std::move(*plain);
    body = inflated;
  }

  const TextFormat format = TextFormatFromContentType(request.Header("Content-Type"));
  size_t samples = 0;
  absl::StatusOr<FamilyBlocks> families = SplitFamilies(body, format, &samples);
  if (!families.ok()) {
    metrics_->Rejected(kFormat, "parse_error");
    return http::Response::Text(400, std::string(families.status().message()));
  }
  const int64_t now_ms = clock_();
  if (request.method() == "PUT") {
    store_->Put(*key, std::move(*families), now_ms);
  } else {
    store_->Post(*key, std::move(*families), now_ms);
  }
  metrics_->Received(kFormat, static_cast<double>(samples));
  return http::Response::Text(200, "");
}

size_t PushgatewayReceiver::Replay(FlinkSampleSink& sink, int64_t now_ms) {
  store_->Expire(now_ms);
  PromNormalizer normalizer(&sink);
  // Counted, not logged: a replay error means a stored block no longer
  // parses on its own, which validation should have made impossible.
  struct Counting : SampleSink {
    SampleSink* next;
    size_t n = 0;
    void OnSample(const SampleView& s) override {
      ++n;
      next->OnSample(s);
    }
  } counting;
  counting.next = &normalizer;
  PromTextParser prom(TextFormat::kPrometheus004);
  PromTextParser open_metrics(TextFormat::kOpenMetrics100);
  std::string scratch;
  store_->ForEach([&](const PushGroup& group) {
    const std::string source = absl::StrCat("push:", group.key.Canonical());
    std::string_view cluster;
    for (const auto& [name, value] : group.key.labels) {
      if (name == "cluster") cluster = value;
    }
    normalizer.Reset(source, StripRandomJobNameSuffix(group.key.job), now_ms, cluster);
    for (const auto& [family, block] : group.families) {
      if (block.format == TextFormat::kOpenMetrics100) {
        scratch = absl::StrCat(block.text, "# EOF\n");
        if (!open_metrics.Parse(scratch, counting).ok()) metrics_->Rejected(kFormat, "replay");
      } else if (!prom.Parse(block.text, counting).ok()) {
        metrics_->Rejected(kFormat, "replay");
      }
    }
  });
  return counting.n;
}

}  // namespace vitals::gateway
