#include "gateway/receivers/scrape/target_loop.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/clock.h"
#include "common/base/strings.h"
#include "common/http/client.h"
#include "common/http/gzip.h"
#include "common/log/log.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kFormat = "scrape";
// The exposition the Pushgateway path gets from the same reporter: asking
// for 0.0.4 keeps a scrape byte for byte what a push would carry.
constexpr char kAccept[] = "text/plain;version=0.0.4;q=1.0,*/*;q=0.1";

}  // namespace

int64_t TargetLoop::NextTick(int64_t now_ms, int64_t interval_ms, int64_t offset_ms) {
  const int64_t base = now_ms - offset_ms;
  // Floor division, so that times before the first offset work too.
  int64_t k = base / interval_ms;
  if (base % interval_ms < 0) --k;
  return (k + 1) * interval_ms + offset_ms;
}

int64_t TargetLoop::Offset(std::string_view name, int64_t interval_ms) {
  // FNV-1a: stable across processes, unlike the standard hashes' seeds.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return static_cast<int64_t>(h % static_cast<uint64_t>(interval_ms));
}

TargetLoop::TargetLoop(ScrapeTarget target, const Context& context)
    : context_(context), name_(target.Name()), target_(std::move(target)) {
  series_ = context_.metrics->AddTarget(name_);
  thread_ = std::thread([this] { Run(); });
}

TargetLoop::~TargetLoop() {
  Stop();
  Join();
}

void TargetLoop::Update(ScrapeTarget target) {
  {
    absl::MutexLock lock(&mu_);
    target_ = std::move(target);
    changed_ = true;
    if (wake_) wake_->Stop();
  }
}

void TargetLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_.exchange(true)) return;
    context_.metrics->RemoveTarget(series_);
    series_ = {};
    if (wake_) wake_->Stop();
  }
}

void TargetLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void TargetLoop::Run() {
  // A wake a hair before its tick (slew, millisecond rounding) must not
  // make the same tick come round twice.
  int64_t last_tick = 0;
  while (true) {
    std::shared_ptr<StopSignal> wake;
    int64_t next = 0;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
      const int64_t interval_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(target_.interval));
      next = NextTick(std::max(context_.time->NowMs(), last_tick), interval_ms,
                      Offset(name_, interval_ms));
      changed_ = false;
      wake = std::make_shared<StopSignal>();
      wake_ = wake;
    }
    // Woken early: stopping, or new settings (recompute the tick).
    if (!context_.time->WaitUntil(next, *wake)) continue;
    ScrapeTarget target;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
      if (changed_) continue;
      last_tick = next;
      target = target_;
    }
    const Outcome outcome = Scrape(target);
    absl::MutexLock lock(&mu_);
    if (stop_) break;
    Record(target, outcome);
  }
  finished_ = true;
}

TargetLoop::Outcome TargetLoop::Scrape(const ScrapeTarget& target) {
  const absl::Time start = absl::Now();
  Outcome out;
  auto fail = [&](std::string_view result, std::string error) {
    out.result = result;
    out.error = std::move(error);
  };
  if (!target.error.ok()) {
    fail("invalid_target", std::string(target.error.message()));
    return out;
  }
  // A fresh client (connection) per scrape: HttpClient retries a failed
  // exchange on a reused connection once, which would let a hung target
  // hold this loop for twice its timeout.
  http::HttpClient client(target.host, target.port, target.timeout);
  absl::StatusOr<http::ClientResponse> response =
      client.Send("GET", target.metrics_path, {}, {{"Accept", kAccept}});
  const absl::Duration elapsed = absl::Now() - start;
  out.seconds = absl::ToDoubleSeconds(elapsed);
  // The client's timeout bounds connect and exchange separately; the
  // target's timeout bounds the scrape.
  if (elapsed >= target.timeout) {
    fail("timeout",
         absl::StrCat("no complete answer within ", absl::FormatDuration(target.timeout)));
    return out;
  }
  if (!response.ok()) {
    fail("unreachable", std::string(response.status().message()));
    return out;
  }
  if (response->status != 200) {
    fail("http_status", absl::StrCat("HTTP status ", response->status));
    return out;
  }
  std::string_view body = response->body;
  std::string inflated;
  if (absl::EqualsIgnoreCase(AsAbsl(response->Header("Content-Encoding")), "gzip")) {
    absl::StatusOr<std::string> plain = http::Gunzip(body, context_.max_body_bytes);
    if (!plain.ok()) {
      fail(absl::IsResourceExhausted(plain.status()) ? "too_large" : "bad_encoding",
           std::string(plain.status().message()));
      return out;
    }
    inflated = std::move(*plain);
    body = inflated;
  }
  if (body.size() > context_.max_body_bytes) {
    fail("too_large", absl::StrCat(body.size(), " bytes, more than max_body_bytes"));
    return out;
  }
  if (stop_) return out;  // removed meanwhile: its samples are no longer wanted
  absl::StatusOr<size_t> samples =
      ingester_.Ingest(target, body, TextFormatFromContentType(response->content_type),
                       context_.clock(), *context_.processes, *context_.sink);
  if (!samples.ok()) {
    fail("parse_error", std::string(samples.status().message()));
    return out;
  }
  out.result = "ok";
  out.samples = *samples;
  out.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return out;
}

void TargetLoop::Record(const ScrapeTarget& target, const Outcome& outcome) {
  const bool up = outcome.result == "ok";
  series_.up->Set(up ? 1 : 0);
  series_.duration->Set(outcome.seconds);
  series_.samples->Set(static_cast<double>(outcome.samples));
  context_.metrics->CountScrape(outcome.result);
  if (up) {
    context_.ingest->Received(kFormat, static_cast<double>(outcome.samples));
  } else {
    context_.ingest->Rejected(kFormat, outcome.result);
  }
  // Log changes of state, not every failed scrape.
  if (up && !was_up_) {
    log::Info("scrape target up", {{"target", name_}});
  } else if (!up && (was_up_ || outcome.error != last_error_)) {
    log::Warn("scrape failed", {{"target", name_},
                                {"result", std::string(outcome.result)},
                                {"error", outcome.error},
                                {"origin", target.origin}});
  }
  was_up_ = up;
  last_error_ = up ? std::string() : outcome.error;
}

}  // namespace vitals::gateway
