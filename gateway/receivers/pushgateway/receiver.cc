#include "gateway/receivers/pushgateway/receiver.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/cluster_name.h"
#include "common/base/json_string.h"
#include "common/base/strings.h"
#include "common/http/gzip.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/receivers/promtext/extra_labels.h"
#include "gateway/receivers/promtext/normalizer.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kFormat = "pushgateway";
constexpr std::string_view kPrefix = "/metrics/";

// The first line longer than `max_bytes` (1-based), or 0. One memchr pass,
// so that an oversized line is refused before the parser copies anything.
size_t FirstLongLine(std::string_view body, size_t max_bytes) {
  size_t line = 1;
  for (size_t start = 0; start < body.size(); ++line) {
    const void* nl = std::memchr(body.data() + start, '\n', body.size() - start);
    const size_t end = nl == nullptr
                           ? body.size()
                           : static_cast<size_t>(static_cast<const char*>(nl) - body.data());
    if (end - start > max_bytes) return line;
    start = end + 1;
  }
  return 0;
}

// --- GET /api/v1/metrics ------------------------------------------------
//
// The real Pushgateway's JSON: {"status":"success","data":[group…]} where a
// group is {"labels":{grouping labels}, "last_push_successful":true,
// "<family>":{"time_stamp","type","metrics":[…]}, "push_time_seconds":{…},
// "push_failure_time_seconds":{…}}. A metric carries its labels merged
// with the grouping labels (which win) and `instance` ("" when absent), and
// either "value", or "buckets"/"quantiles" with "count" and "sum"; numbers
// are strings. Families keep no HELP here, so "help" appears only on the
// two push_* families. Pushes are never refused for consistency with other
// groups, so the last push is always the successful one.

// As Go's strconv formats a float64 for the Pushgateway: shortest
// round-trip digits, `+Inf`, `-Inf`, `NaN`.
std::string FormatFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, end);
}

// An `le` or `quantile` value re-rendered as the Pushgateway does (it
// keeps them as floats): `1.0` → `1`.
std::string FormatBound(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || copy.empty()) return copy;
  return FormatFloat(v);
}

std::string_view JsonType(SampleType type) {
  switch (type) {
    case SampleType::kCounter:
      return "COUNTER";
    case SampleType::kGauge:
      return "GAUGE";
    case SampleType::kSummary:
      return "SUMMARY";
    case SampleType::kHistogram:
    case SampleType::kGaugeHistogram:
      return "HISTOGRAM";
    case SampleType::kInfo:
    case SampleType::kStateSet:
    case SampleType::kUntyped:
      break;
  }
  return "UNTYPED";
}

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name

// The grouping labels, `job` among them, sorted by name.
Labels GroupingLabels(const GroupingKey& key) {
  Labels labels = key.labels;
  labels.emplace_back("job", key.job);
  std::sort(labels.begin(), labels.end());
  return labels;
}

// What a metric of a group carries: its own labels, overridden by the
// grouping labels, with `instance` defaulting to "".
Labels MetricLabels(std::span<const LabelView> own, std::string_view skip, const Labels& grouping) {
  std::map<std::string, std::string> merged;
  for (const LabelView& l : own) {
    if (l.name != skip) merged[std::string(l.name)] = std::string(l.value);
  }
  for (const auto& [name, value] : grouping) merged[name] = value;
  merged.try_emplace("instance", "");
  return Labels(merged.begin(), merged.end());
}

void AppendLabels(const Labels& labels, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(labels[i].first, out);
    out->push_back(':');
    AppendJsonString(labels[i].second, out);
  }
  out->push_back('}');
}

// One metric (label set) of a family, with its samples folded together the
// way the Pushgateway's client_model does.
struct JsonMetric {
  Labels labels;
  std::string value = "0";
  std::vector<std::pair<std::string, std::string>> bounds;  // le or quantile → value
  std::string count = "0";
  std::string sum = "0";
};

class FamilyCollector : public SampleSink {
 public:
  FamilyCollector(std::string_view family, const Labels& grouping)
      : family_(family), grouping_(grouping) {}

  void OnSample(const SampleView& s) override {
    type_ = s.type;
    const bool histogram =
        s.type == SampleType::kHistogram || s.type == SampleType::kGaugeHistogram;
    const bool summary = s.type == SampleType::kSummary;
    std::string_view suffix = s.name;
    if (absl::StartsWith(AsAbsl(suffix), AsAbsl(family_))) suffix.remove_prefix(family_.size());
    if (suffix == "_created") return;  // OpenMetrics; the Pushgateway has no place for it
    const std::string_view bound_label = histogram ? "le" : summary ? "quantile" : "";
    JsonMetric& metric = Find(MetricLabels(s.labels, bound_label, grouping_));
    if (!histogram && !summary) {
      metric.value = FormatFloat(s.value);
    } else if (suffix == "_sum" || suffix == "_gsum") {
      metric.sum = FormatFloat(s.value);
    } else if (suffix == "_count" || suffix == "_gcount") {
      metric.count = FormatFloat(s.value);
    } else {
      for (const LabelView& l : s.labels) {
        if (l.name == bound_label)
          metric.bounds.emplace_back(FormatBound(l.value), FormatFloat(s.value));
      }
    }
  }

  void Render(std::string_view time_stamp, std::string* out) const {
    out->append("{\"time_stamp\":");
    AppendJsonString(time_stamp, out);
    out->append(",\"type\":");
    AppendJsonString(JsonType(type_), out);
    out->append(",\"metrics\":[");
    const bool histogram = type_ == SampleType::kHistogram || type_ == SampleType::kGaugeHistogram;
    const bool summary = type_ == SampleType::kSummary;
    for (size_t i = 0; i < metrics_.size(); ++i) {
      const JsonMetric& m = metrics_[i];
      if (i > 0) out->push_back(',');
      out->append("{\"labels\":");
      AppendLabels(m.labels, out);
      if (histogram || summary) {
        out->append(histogram ? ",\"buckets\":{" : ",\"quantiles\":{");
        for (size_t b = 0; b < m.bounds.size(); ++b) {
          if (b > 0) out->push_back(',');
          AppendJsonString(m.bounds[b].first, out);
          out->push_back(':');
          AppendJsonString(m.bounds[b].second, out);
        }
        out->append("},\"count\":");
        AppendJsonString(m.count, out);
        out->append(",\"sum\":");
        AppendJsonString(m.sum, out);
      } else {
        out->append(",\"value\":");
        AppendJsonString(m.value, out);
      }
      out->push_back('}');
    }
    out->append("]}");
  }

  bool empty() const { return metrics_.empty(); }

 private:
  JsonMetric& Find(Labels labels) {
    auto [it, inserted] = index_.try_emplace(labels, metrics_.size());
    if (inserted) {
      metrics_.emplace_back();
      metrics_.back().labels = std::move(labels);
    }
    return metrics_[it->second];
  }

  std::string_view family_;
  const Labels& grouping_;
  SampleType type_ = SampleType::kUntyped;
  std::vector<JsonMetric> metrics_;  // in order of first appearance
  std::map<Labels, size_t> index_;
};

// push_time_seconds and push_failure_time_seconds, as the Pushgateway adds
// them to every group.
void AppendPushTimeFamily(std::string_view help, double value, std::string_view time_stamp,
                          const Labels& grouping, std::string* out) {
  out->append("{\"time_stamp\":");
  AppendJsonString(time_stamp, out);
  out->append(",\"type\":\"GAUGE\",\"help\":");
  AppendJsonString(help, out);
  out->append(",\"metrics\":[{\"labels\":");
  AppendLabels(MetricLabels({}, "", grouping), out);
  out->append(",\"value\":");
  AppendJsonString(FormatFloat(value), out);
  out->append("}]}");
}

// The value of the key's `cluster` grouping label, or null.
const std::string* PushedCluster(const GroupingKey& key) {
  for (const auto& [name, value] : key.labels) {
    if (name == "cluster") return &value;
  }
  return nullptr;
}

bool IsReservedGroupKey(std::string_view name) {
  return name == "labels" || name == "last_push_successful" || name == "push_time_seconds" ||
         name == "push_failure_time_seconds";
}

}  // namespace

PushgatewayReceiver::PushgatewayReceiver(PushGroupStore* store, ProcessJobTable* processes,
                                         IngestMetrics* metrics, size_t max_body_bytes, Clock clock,
                                         PushClusterOptions cluster)
    : store_(store),
      processes_(processes),
      metrics_(metrics),
      max_body_bytes_(max_body_bytes),
      clock_(std::move(clock)),
      cluster_(std::move(cluster)) {
  metrics_->Declare(kFormat);
}

void PushgatewayReceiver::Register(http::Server& server) {
  max_line_bytes_ = server.options().max_line_bytes;
  max_series_ = server.options().max_series_per_request;
  const auto handle = [this](const http::Request& r) { return Handle(r); };
  const std::string label(kFormat);
  for (const char* method : {"PUT", "POST", "DELETE"}) {
    server.Route(method, "/metrics/job", handle, label);
    server.Route(method, "/metrics/job/", handle, label);
    server.Route(method, "/metrics/job@base64/", handle, label);
  }
  server.Route("GET", "/api/v1/metrics", handle);
}

http::Response PushgatewayReceiver::Handle(const http::Request& request) {
  std::string_view path = request.path();
  if (request.method() == "GET" && path == "/api/v1/metrics") {
    return http::Response::Json(200, RenderGroupsJson());
  }
  absl::StatusOr<GroupingKey> key =
      ParsePushgatewayPath(path.substr(kPrefix.size()), Limits().max_labels);
  if (!key.ok()) {
    metrics_->Rejected(kFormat, "bad_path");
    return http::Response::Text(400, std::string(key.status().message()));
  }
  // Checked whether or not it may override: it is meant as the cluster,
  // and a client's push must not be taken or refused by the gateway's
  // setting alone.
  if (const std::string* cluster = PushedCluster(*key); cluster != nullptr) {
    if (const std::string_view problem = ClusterNameProblem(*cluster); !problem.empty()) {
      metrics_->Rejected(kFormat, "bad_path");
      return http::Response::Text(
          400, absl::StrCat("invalid Pushgateway path: label cluster: ", AsAbsl(problem)));
    }
  }
  if (request.method() == "DELETE") {
    store_->Delete(*key);
    return http::Response::Text(202, "");
  }
  return Push(request, *key);
}

PromTextLimits PushgatewayReceiver::Limits() const {
  PromTextLimits limits;
  limits.max_line_bytes = max_line_bytes_;
  // One sample over the limit is read, so that reaching it tells "too many"
  // apart from a bad line right after the last allowed sample.
  limits.max_samples = max_series_ + 1;
  return limits;
}

http::Response PushgatewayReceiver::Push(const http::Request& request, const GroupingKey& key) {
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

  if (const size_t line = FirstLongLine(body, max_line_bytes_); line > 0) {
    metrics_->Rejected(kFormat, "line_too_long");
    return http::Response::Text(
        400, absl::StrCat("line ", line, ": line longer than ", max_line_bytes_, " bytes"));
  }
  const TextFormat format = TextFormatFromContentType(request.Header("Content-Type"));
  size_t samples = 0;
  absl::StatusOr<FamilyBlocks> families = SplitFamilies(body, format, Limits(), &samples);
  if (samples > max_series_) {
    metrics_->Rejected(kFormat, "too_many_series");
    return http::Response::Text(413,
                                absl::StrCat("too many series: more than ", max_series_,
                                             " samples in one push (http.max_series_per_request)"));
  }
  if (!families.ok()) {
    metrics_->Rejected(kFormat, "parse_error");
    return http::Response::Text(400, std::string(families.status().message()));
  }
  const int64_t now_ms = clock_();
  if (request.method() == "PUT") {
    store_->Put(key, std::move(*families), now_ms);
  } else {
    store_->Post(key, std::move(*families), now_ms);
  }
  metrics_->Received(kFormat, static_cast<double>(samples));
  if (const std::string* cluster = PushedCluster(key);
      cluster != nullptr && !cluster_.pushed_overrides && *cluster != cluster_.configured) {
    metrics_->ClusterIgnored(kFormat);
  }
  return http::Response::Text(200, "");
}

std::string PushgatewayReceiver::RenderGroupsJson() const {
  std::string out = "{\"status\":\"success\",\"data\":[";
  bool first_group = true;
  PromTextParser prom(TextFormat::kPrometheus004, Limits());
  PromTextParser open_metrics(TextFormat::kOpenMetrics100, Limits());
  std::string scratch;
  store_->ForEach([&](const PushGroup& group) {
    if (!first_group) out.push_back(',');
    first_group = false;
    const Labels grouping = GroupingLabels(group.key);
    const absl::Time pushed = absl::FromUnixMillis(group.last_push_ms);
    const std::string time_stamp =
        absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", pushed, absl::UTCTimeZone());
    out.append("{\"labels\":");
    AppendLabels(grouping, &out);
    out.append(",\"last_push_successful\":true");
    for (const FamilyBlock block : group.families) {
      if (IsReservedGroupKey(block.family)) continue;
      FamilyCollector collector(block.family, grouping);
      absl::Status parsed;
      if (block.format == TextFormat::kOpenMetrics100) {
        scratch = absl::StrCat(AsAbsl(block.text), "# EOF\n");
        parsed = open_metrics.Parse(scratch, collector);
      } else {
        parsed = prom.Parse(block.text, collector);
      }
      // Stored blocks were validated on push; one that no longer parses is
      // left out rather than shown half.
      if (!parsed.ok() || collector.empty()) continue;
      out.push_back(',');
      AppendJsonString(block.family, &out);
      out.push_back(':');
      collector.Render(time_stamp, &out);
    }
    out.append(",\"push_time_seconds\":");
    AppendPushTimeFamily("Last Unix time when changing this group in the Pushgateway succeeded.",
                         static_cast<double>(group.last_push_ms) / 1000.0, time_stamp, grouping,
                         &out);
    out.append(",\"push_failure_time_seconds\":");
    AppendPushTimeFamily("Last Unix time when changing this group in the Pushgateway failed.", 0,
                         time_stamp, grouping, &out);
    out.push_back('}');
  });
  out.append("]}");
  return out;
}

size_t PushgatewayReceiver::Replay(FlinkSampleSink& sink, int64_t now_ms) {
  store_->Expire(now_ms);
  ProcessAttributor attributor(processes_, &sink);
  PromNormalizer normalizer(&attributor);
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
  PromTextParser prom(TextFormat::kPrometheus004, Limits());
  PromTextParser open_metrics(TextFormat::kOpenMetrics100, Limits());
  std::string scratch;
  std::vector<LabelView> grouping;
  store_->ForEach([&](const PushGroup& group) {
    const std::string source = absl::StrCat("push:", group.key.Canonical());
    std::string_view cluster;
    grouping.clear();
    for (const auto& [name, value] : group.key.labels) {
      if (name == "cluster") {
        // A cluster name (checked at push); without the override the
        // configured cluster stands and the label goes nowhere.
        if (cluster_.pushed_overrides) cluster = value;
      } else {
        grouping.push_back({name, value});
      }
    }
    attributor.Begin(StripRandomJobNameSuffix(group.key.job));
    normalizer.Reset(source, now_ms, cluster);
    // As the Pushgateway exposes them: every sample carries the grouping
    // labels, which override pushed labels of the same name.
    ExtraLabels labeler(grouping, ExtraLabels::Clash::kExtraWins, &normalizer);
    counting.next = &labeler;
    for (const FamilyBlock block : group.families) {
      if (block.format == TextFormat::kOpenMetrics100) {
        scratch = absl::StrCat(AsAbsl(block.text), "# EOF\n");
        if (!open_metrics.Parse(scratch, counting).ok()) metrics_->Rejected(kFormat, "replay");
      } else if (!prom.Parse(block.text, counting).ok()) {
        metrics_->Rejected(kFormat, "replay");
      }
    }
    attributor.Finish(now_ms);
  });
  return counting.n;
}

}  // namespace vitals::gateway
