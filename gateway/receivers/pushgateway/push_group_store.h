#pragma once

// The Pushgateway's state: groups keyed by their grouping key, each holding
// the latest text of every metric family pushed to it. PUT replaces a
// group, POST replaces only the families it carries, DELETE removes the
// group. Beyond the real Pushgateway, a group not pushed to for `ttl`
// expires, so a dead pod stops being reported.
//
// Families are kept as validated text in a compact form (FamilyBlocks:
// each line as references to the group's distinct pieces plus its value
// text), not as parsed samples; re-parsing at each interval is cheap.

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/pushgateway/family_blocks.h"
#include "gateway/receivers/pushgateway/path.h"

namespace vitals::gateway {

struct PushGroup {
  GroupingKey key;
  FamilyBlocks families;
  int64_t last_push_ms = 0;
};

class PushGroupStore {
 public:
  explicit PushGroupStore(absl::Duration ttl) : ttl_(ttl) {}

  void Put(const GroupingKey& key, FamilyBlocks families, int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);
  void Post(const GroupingKey& key, FamilyBlocks families, int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);
  // False when there was no such group.
  bool Delete(const GroupingKey& key) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes groups idle for longer than the TTL; returns how many.
  size_t Expire(int64_t now_ms) ABSL_LOCKS_EXCLUDED(mu_);
  // Visits every group under the store's lock: keep `fn` short.
  void ForEach(const std::function<void(const PushGroup&)>& fn) const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  void set_ttl(absl::Duration ttl) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::Duration ttl_ ABSL_GUARDED_BY(mu_);
  // By GroupingKey::Canonical().
  std::map<std::string, PushGroup> groups_ ABSL_GUARDED_BY(mu_);
};

// Splits a validated body into per-family blocks. InvalidArgument with the
// parser's "line N: reason" when the body does not parse (or exceeds
// `limits`); `samples` gets the count of samples read, also on error.
absl::StatusOr<FamilyBlocks> SplitFamilies(std::string_view body, TextFormat format,
                                           const PromTextLimits& limits, size_t* samples);

}  // namespace vitals::gateway
