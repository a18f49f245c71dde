#include "gateway/receivers/influx/receiver.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/json_string.h"
#include "common/base/strings.h"
#include "common/http/gzip.h"
#include "gateway/attribute/process_attributor.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kFormat = "influx";

// InfluxDB's error body: {"code":"invalid","message":"…"}.
http::Response JsonError(int status, std::string_view code, std::string_view message) {
  std::string body = "{\"code\":";
  AppendJsonString(code, &body);
  body += ",\"message\":";
  AppendJsonString(message, &body);
  body += "}";
  http::Response r = http::Response::Json(status, std::move(body));
  // The header repeats the message for clients that read only headers; a
  // header value may not carry control characters.
  std::string header(message);
  std::replace_if(
      header.begin(), header.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; },
      ' ');
  r.headers.emplace_back("X-Influxdb-Error", std::move(header));
  return r;
}

// The peer's address without the port: a Flink process's writes keep one
// source across the reconnections of its HTTP client.
std::string_view PeerHost(std::string_view peer) {
  const size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

// What a body holds against the per-request limits, found in one memchr
// pass before parsing: the lines over the length limit (the parser is
// spared them), and how many lines may carry a point (neither blank nor a
// comment), each point being one series.
struct BodyShape {
  struct Line {
    size_t number;  // 1-based
    size_t begin;   // offsets into the body; `end` is its '\n' or the body's end
    size_t end;
  };
  size_t data_lines = 0;
  std::vector<Line> long_lines;
};

BodyShape ScanBody(std::string_view body, size_t max_line_bytes) {
  BodyShape shape;
  size_t number = 1;
  for (size_t begin = 0; begin < body.size(); ++number) {
    const void* nl = std::memchr(body.data() + begin, '\n', body.size() - begin);
    const size_t end = nl == nullptr
                           ? body.size()
                           : static_cast<size_t>(static_cast<const char*>(nl) - body.data());
    size_t first = begin;
    while (first < end && body[first] == ' ') ++first;
    if (first < end && body[first] != '#' && !(body[first] == '\r' && first + 1 == end)) {
      ++shape.data_lines;
    }
    if (end - begin > max_line_bytes) shape.long_lines.push_back({number, begin, end});
    begin = end + 1;
  }
  return shape;
}

// Forwards points to the normalizer and writes the answer's list of bad lines.
class RequestSink : public InfluxSink {
 public:
  RequestSink(InfluxSink* next, size_t max_listed) : next_(next), max_listed_(max_listed) {}

  void OnPoint(const InfluxPoint& point) override {
    ++points_;
    next_->OnPoint(point);
  }
  void OnReject(size_t line, std::string_view reason) override {
    List(line_offset_ + line, reason);
  }
  // A line the parser never saw (over max_line_bytes); `line` is absolute.
  void RejectLongLine(size_t line, size_t max_line_bytes) {
    ++long_lines_;
    List(line, absl::StrCat("line longer than ", max_line_bytes, " bytes"));
  }
  // Lines before the piece of the body being parsed next.
  void set_line_offset(size_t offset) { line_offset_ = offset; }

  size_t points() const { return points_; }
  size_t bad_lines() const { return bad_lines_; }
  size_t long_lines() const { return long_lines_; }
  std::string Message() const {
    if (bad_lines_ <= max_listed_) return message_;
    return absl::StrCat(message_, "; and ", bad_lines_ - max_listed_, " more bad lines");
  }

 private:
  void List(size_t line, std::string_view reason) {
    ++bad_lines_;
    if (bad_lines_ > max_listed_) return;
    if (!message_.empty()) message_ += "; ";
    absl::StrAppend(&message_, "line ", line, ": ", AsAbsl(reason));
  }

  InfluxSink* next_;
  size_t max_listed_;
  size_t line_offset_ = 0;
  size_t points_ = 0;
  size_t bad_lines_ = 0;
  size_t long_lines_ = 0;
  std::string message_;
};

}  // namespace

struct InfluxReceiver::Worker {
  Worker(FlinkSampleSink* sink, ProcessJobTable* processes, const InfluxReceiverOptions& options)
      : parser(options.parse),
        attributor(processes, sink),
        normalizer(&attributor, options.normalize) {}
  InfluxParser parser;
  // One request is one Flink process's report: one attribution batch.
  ProcessAttributor attributor;
  InfluxNormalizer normalizer;
  InfluxNormalizerStats published;
};

InfluxReceiver::InfluxReceiver(InfluxReceiverOptions options, FlinkSampleSink* sink,
                               ProcessJobTable* processes, IngestMetrics* metrics, Clock clock)
    : options_(std::move(options)),
      sink_(sink),
      processes_(processes),
      metrics_(metrics),
      clock_(std::move(clock)) {
  metrics_->Declare(kFormat);
}

InfluxReceiver::~InfluxReceiver() = default;

void InfluxReceiver::Route(http::Server& server) {
  max_line_bytes_ = server.options().max_line_bytes;
  max_series_ = server.options().max_series_per_request;
  const std::string label(kFormat);
  server.Route(
      "POST", "/write", [this](const http::Request& r) { return Handle(r); }, label);
  server.Route(
      "POST", "/api/v2/write", [this](const http::Request& r) { return Handle(r); }, label);
  for (const char* method : {"GET", "HEAD"}) {
    server.Route(method, "/ping", [this](const http::Request& r) { return Handle(r); });
  }
}

http::Response InfluxReceiver::Handle(const http::Request& request) {
  if (request.path() == "/ping") {
    http::Response r = http::Response::Text(204, "");
    r.headers.emplace_back("X-Influxdb-Version", "vitals");
    return r;
  }
  if (request.method() != "POST") return http::Response::Text(405, "method not allowed");
  if (request.path() == "/write") return Write(request, InfluxApi::kV1);
  if (request.path() == "/api/v2/write") return Write(request, InfluxApi::kV2);
  return http::Response::Text(404, absl::StrCat("no such path: ", AsAbsl(request.path())));
}

http::Response InfluxReceiver::Refuse(int status, std::string_view code, std::string_view reason,
                                      std::string_view message) {
  metrics_->Rejected(kFormat, reason);
  return JsonError(status, code, message);
}

http::Response InfluxReceiver::Write(const http::Request& request, InfluxApi api) {
  // Where the points go: InfluxDB needs a database (v1) or bucket (v2);
  // we have one destination, but a writer without one is misconfigured.
  if (api == InfluxApi::kV1) {
    if (request.QueryParam("db").empty()) {
      return Refuse(400, "invalid", "bad_request", "database is required");
    }
    const std::string consistency = absl::AsciiStrToLower(request.QueryParam("consistency"));
    if (!consistency.empty() && consistency != "any" && consistency != "one" &&
        consistency != "quorum" && consistency != "all") {
      return Refuse(400, "invalid", "bad_request",
                    absl::StrCat("invalid consistency level: ", request.QueryParam("consistency")));
    }
  } else if (request.QueryParam("bucket").empty()) {
    return Refuse(400, "invalid", "bad_request", "bucket is required");
  }
  absl::StatusOr<InfluxPrecision> precision =
      ParseInfluxPrecision(request.QueryParam("precision"), api);
  if (!precision.ok()) {
    return Refuse(400, "invalid", "bad_request", std::string(precision.status().message()));
  }

  std::string_view body = request.body();
  std::string inflated;
  const std::string_view encoding = request.Header("Content-Encoding");
  if (absl::EqualsIgnoreCase(AsAbsl(encoding), "gzip")) {
    absl::StatusOr<std::string> plain =
        http::Gunzip(body, static_cast<size_t>(options_.max_body_bytes));
    if (!plain.ok()) {
      if (absl::IsResourceExhausted(plain.status())) {
        return Refuse(413, "request too large", "too_large", std::string(plain.status().message()));
      }
      return Refuse(400, "invalid", "bad_encoding", std::string(plain.status().message()));
    }
    inflated = std::move(*plain);
    body = inflated;
  } else if (!encoding.empty() && !absl::EqualsIgnoreCase(AsAbsl(encoding), "identity")) {
    return Refuse(415, "unsupported media type", "bad_encoding",
                  absl::StrCat("unsupported Content-Encoding: ", AsAbsl(encoding)));
  } else if (body.size() > static_cast<size_t>(options_.max_body_bytes)) {
    return Refuse(413, "request too large", "too_large",
                  absl::StrCat("body exceeds ", options_.max_body_bytes, " bytes"));
  }

  const BodyShape shape = ScanBody(body, max_line_bytes_);
  if (shape.data_lines > max_series_) {
    // Refused whole, before any point is taken: a partial write of the
    // first N would be arbitrary.
    return Refuse(413, "request too large", "too_many_series",
                  absl::StrCat("too many series: ", shape.data_lines, " lines, more than ",
                               max_series_, " (http.max_series_per_request)"));
  }

  std::unique_ptr<Worker> worker = Acquire();
  RequestSink sink(&worker->normalizer, static_cast<size_t>(options_.max_errors_listed));
  const int64_t now_ms = clock_();
  worker->attributor.Begin();
  worker->normalizer.Begin(absl::StrCat("influx:", AsAbsl(PeerHost(request.peer()))), now_ms);
  // Over-long lines are cut out and the pieces between them parsed, so that
  // they fail like any bad line: named, and without spoiling the others.
  size_t begin = 0;
  for (const BodyShape::Line& line : shape.long_lines) {
    worker->parser.Parse(body.substr(begin, line.begin - begin), *precision, sink);
    sink.RejectLongLine(line.number, max_line_bytes_);
    begin = std::min(line.end + 1, body.size());
    sink.set_line_offset(line.number);
  }
  worker->parser.Parse(body.substr(begin), *precision, sink);
  worker->attributor.Finish(now_ms);

  metrics_->Received(kFormat, static_cast<double>(sink.points()));
  if (sink.long_lines() > 0) {
    metrics_->Rejected(kFormat, "line_too_long", static_cast<double>(sink.long_lines()));
  }
  if (sink.bad_lines() > sink.long_lines()) {
    metrics_->Rejected(kFormat, "parse_error",
                       static_cast<double>(sink.bad_lines() - sink.long_lines()));
  }
  const InfluxNormalizerStats& stats = worker->normalizer.stats();
  if (stats.text_values != worker->published.text_values) {
    metrics_->Rejected(kFormat, "invalid_value",
                       static_cast<double>(stats.text_values - worker->published.text_values));
  }
  if (stats.clusters_ignored != worker->published.clusters_ignored) {
    metrics_->ClusterIgnored(
        kFormat, static_cast<double>(stats.clusters_ignored - worker->published.clusters_ignored));
  }
  worker->published = stats;
  Release(std::move(worker));

  if (sink.bad_lines() > 0) return JsonError(400, "invalid", sink.Message());
  return http::Response::Text(204, "");
}

std::unique_ptr<InfluxReceiver::Worker> InfluxReceiver::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Worker> worker = std::move(idle_.back());
      idle_.pop_back();
      return worker;
    }
  }
  return std::make_unique<Worker>(sink_, processes_, options_);
}

void InfluxReceiver::Release(std::unique_ptr<Worker> worker) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(worker));
}

}  // namespace vitals::gateway
