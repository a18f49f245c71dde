#pragma once

// What each sender — a push group, scrape target, StatsD sender address or
// Influx client, as FlinkSample::source names it — holds in the aggregator
// and has added in the current interval: the books behind the fair caps
// (aggregator.h). Shared by all shards and touched only when a series is
// created or expires, never for a sample of a series already held.
//
// Thread-safe: sources are spread over stripes, each with its own lock.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace vitals::gateway {

class SourceLedger {
 public:
  enum class Verdict : uint8_t {
    kAdmit,      // recorded: the source holds one more series
    kSourceCap,  // the source already added its allowance this interval
    kReserved,   // the gateway is in its reserve and the source is large
  };

  // Asks for one new series of `source` in the interval starting at
  // `interval_ms` (an older interval counts against the newest one seen).
  // At most `max_new` are admitted per source and interval; while
  // `in_reserve` (the gateway holds more than its open share of
  // max_series), none for a source that already holds `max_new` or more.
  Verdict Admit(std::string_view source, int64_t interval_ms, int64_t max_new, bool in_reserve);
  // Takes back an admission whose series was not created after all.
  void Unadmit(std::string_view source, int64_t interval_ms);
  // `count` series of `source` were forgotten (expiry).
  void Release(std::string_view source, int64_t count);
  // Forgets sources that hold no series and added none in an interval
  // starting at or after `before_ms`, and shrinks tables left mostly empty.
  void Sweep(int64_t before_ms);

  // Sources on the books.
  int64_t size() const;
  // Series `source` holds (0 when unknown): for tests.
  int64_t held(std::string_view source) const;

 private:
  struct Entry {
    int64_t held = 0;                 // series held
    int64_t interval_ms = INT64_MIN;  // the newest interval it added in
    int64_t added = 0;                // series added in that interval
  };
  struct Stripe {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kStripes = 16;

  Stripe& StripeOf(std::string_view source);
  const Stripe& StripeOf(std::string_view source) const;

  std::array<Stripe, kStripes> stripes_;
};

}  // namespace vitals::gateway
