#include "gateway/receivers/pushgateway/push_group_store.h"

#include <vector>

namespace vitals::gateway {

void PushGroupStore::Put(const GroupingKey& key, FamilyBlocks families, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  PushGroup& group = groups_[key.Canonical()];
  group.key = key;
  group.families = std::move(families);
  group.last_push_ms = now_ms;
}

void PushGroupStore::Post(const GroupingKey& key, FamilyBlocks families, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  PushGroup& group = groups_[key.Canonical()];
  group.key = key;
  group.families = FamilyBlocks::Merge(group.families, families);
  group.last_push_ms = now_ms;
}

bool PushGroupStore::Delete(const GroupingKey& key) {
  absl::MutexLock lock(&mu_);
  return groups_.erase(key.Canonical()) > 0;
}

size_t PushGroupStore::Expire(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  const int64_t ttl_ms = absl::ToInt64Milliseconds(ttl_);
  size_t expired = 0;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (now_ms - it->second.last_push_ms > ttl_ms) {
      it = groups_.erase(it);
      ++expired;
    } else {
      ++it;
    }
  }
  return expired;
}

void PushGroupStore::ForEach(const std::function<void(const PushGroup&)>& fn) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [canonical, group] : groups_) fn(group);
}

size_t PushGroupStore::size() const {
  absl::MutexLock lock(&mu_);
  return groups_.size();
}

void PushGroupStore::set_ttl(absl::Duration ttl) {
  absl::MutexLock lock(&mu_);
  ttl_ = ttl;
}

namespace {

// Hands each sample's whole line to the builder. The parser's views point
// into the body, which is how a sample finds its line.
class FamilySplitter : public SampleSink {
 public:
  FamilySplitter(std::string_view body, TextFormat format) : body_(body), builder_(body, format) {}

  void OnSample(const SampleView& sample) override {
    ++samples_;
    const size_t offset = static_cast<size_t>(sample.name.data() - body_.data());
    if (offset >= body_.size()) return;  // not a view into the body
    size_t start = body_.rfind('\n', offset);
    start = start == std::string_view::npos ? 0 : start + 1;
    if (start == last_line_start_) return;  // one line, one copy
    last_line_start_ = start;
    size_t end = body_.find('\n', offset);
    end = end == std::string_view::npos ? body_.size() : end;
    builder_.AddLine(sample.family.empty() ? sample.name : sample.family, sample.type, start, end);
  }

  FamilyBlocks Take() { return std::move(builder_).Build(); }
  size_t samples() const { return samples_; }

 private:
  std::string_view body_;
  FamilyBlocks::Builder builder_;
  size_t samples_ = 0;
  size_t last_line_start_ = std::string_view::npos;
};

}  // namespace

absl::StatusOr<FamilyBlocks> SplitFamilies(std::string_view body, TextFormat format,
                                           const PromTextLimits& limits, size_t* samples) {
  PromTextParser parser(format, limits);
  FamilySplitter splitter(body, format);
  const absl::Status status = parser.Parse(body, splitter);
  *samples = splitter.samples();
  if (!status.ok()) return status;
  return splitter.Take();
}

}  // namespace vitals::gateway
