#include "gateway/aggregate/source_ledger.h"

#include "common/base/strings.h"
#include "gateway/aggregate/source_key.h"

namespace vitals::gateway {

SourceLedger::Stripe& SourceLedger::StripeOf(std::string_view source) {
  return stripes_[SourceKeyHash::Hash(source.data(), source.size()) % kStripes];
}

const SourceLedger::Stripe& SourceLedger::StripeOf(std::string_view source) const {
  return stripes_[SourceKeyHash::Hash(source.data(), source.size()) % kStripes];
}

SourceLedger::Verdict SourceLedger::Admit(std::string_view source, int64_t interval_ms,
                                          int64_t max_new, bool in_reserve) {
  Stripe& stripe = StripeOf(source);
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.entries.find(AsAbsl(source));
  if (it == stripe.entries.end()) {
    it = stripe.entries.try_emplace(std::string(source)).first;
  }
  Entry& entry = it->second;
  if (interval_ms > entry.interval_ms) {
    entry.interval_ms = interval_ms;
    entry.added = 0;
  }
  if (entry.added >= max_new) return Verdict::kSourceCap;
  if (in_reserve && entry.held >= max_new) return Verdict::kReserved;
  ++entry.added;
  ++entry.held;
  return Verdict::kAdmit;
}

void SourceLedger::Unadmit(std::string_view source, int64_t interval_ms) {
  Stripe& stripe = StripeOf(source);
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.entries.find(AsAbsl(source));
  if (it == stripe.entries.end()) return;
  --it->second.held;
  if (it->second.interval_ms == interval_ms && it->second.added > 0) --it->second.added;
}

void SourceLedger::Release(std::string_view source, int64_t count) {
  Stripe& stripe = StripeOf(source);
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.entries.find(AsAbsl(source));
  if (it != stripe.entries.end()) it->second.held -= count;
}

void SourceLedger::Sweep(int64_t before_ms) {
  for (Stripe& stripe : stripes_) {
    absl::MutexLock lock(&stripe.mu);
    absl::erase_if(stripe.entries, [&](const auto& entry) {
      return entry.second.held <= 0 && entry.second.interval_ms < before_ms;
    });
    // A flood of senders (one per StatsD port, say) leaves a table sized
    // for it: give that memory back once it is mostly empty.
    if (stripe.entries.capacity() > 64 && stripe.entries.size() * 4 < stripe.entries.capacity()) {
      stripe.entries.rehash(0);
    }
  }
}

int64_t SourceLedger::size() const {
  int64_t n = 0;
  for (const Stripe& stripe : stripes_) {
    absl::MutexLock lock(&stripe.mu);
    n += static_cast<int64_t>(stripe.entries.size());
  }
  return n;
}

int64_t SourceLedger::held(std::string_view source) const {
  const Stripe& stripe = StripeOf(source);
  absl::MutexLock lock(&stripe.mu);
  auto it = stripe.entries.find(AsAbsl(source));
  return it == stripe.entries.end() ? 0 : it->second.held;
}

}  // namespace vitals::gateway
