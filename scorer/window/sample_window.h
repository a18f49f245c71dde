#pragma once

// A dimension's per-interval samples over the sliding window. Each
// dimension digests a closed interval once into a small sample; scoring then
// walks a few dozen samples instead of re-reading every series.

#include <cstdint>
#include <deque>
#include <utility>

namespace vitals::scorer {

template <typename T>
class SampleWindow {
 public:
  struct Entry {
    int64_t start_ms;
    int64_t end_ms;
    T value;
  };

  void Push(int64_t start_ms, int64_t end_ms, T value) {
    entries_.push_back(Entry{start_ms, end_ms, std::move(value)});
  }

  // Drops samples whose interval started before `window_start_ms`.
  void DropBefore(int64_t window_start_ms) {
    while (!entries_.empty() && entries_.front().start_ms < window_start_ms) entries_.pop_front();
  }

  void Clear() { entries_.clear(); }

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Entry& back() const { return entries_.back(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  auto rbegin() const { return entries_.rbegin(); }
  auto rend() const { return entries_.rend(); }

 private:
  std::deque<Entry> entries_;
};

}  // namespace vitals::scorer
