#pragma once

// The aggregator's table of source series: encoded key (source_key.h) to
// per-series state, laid out for the fold's access pattern.
//
// A reporter sends its series in the same order every time (Flink's
// reporters walk their metric maps; a replayed push group repeats its
// text). So entries and their key bytes are stored in creation order, in
// chunks, and the hash index holds 4-byte entry numbers only. In steady
// state consecutive samples then touch consecutive entries, which the
// hardware prefetches, and the index is small enough to stay in cache. A
// plain hash map of string to state puts each entry at a random address,
// which costs every sample a memory round trip once the fleet outgrows the
// cache.
//
// The same order also makes the next lookup predictable: each entry
// remembers the entry looked up right after it, and FindExpected tries that
// one first, by comparing keys, without hashing or touching the index.
//
// Erased entries are reused; once more than half the entries are free,
// EraseIf compacts the table, so expired series give their memory back
// (a table left empty keeps nothing, not even one chunk).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace vitals::gateway {

template <typename Value>
class SourceSeriesTable {
 public:
  SourceSeriesTable() : index_(0, IndexHash{this}, IndexEq{this}) {}
  SourceSeriesTable(const SourceSeriesTable&) = delete;
  SourceSeriesTable& operator=(const SourceSeriesTable&) = delete;

  size_t size() const { return index_.size(); }
  // Entries allocated, live or free (whole chunks).
  size_t capacity() const { return chunks_.size() * kChunkEntries; }

  // The entry of `key` if it is the one looked up after the previous
  // lookup's entry last time; else nullptr, and the caller uses Find.
  Value* FindExpected(std::string_view key) {
    if (last_ == kNone) return nullptr;
    const Id id = At(last_).next;
    if (id == kNone) return nullptr;
    Entry& entry = At(id);
    if (!entry.live || entry.key != key) return nullptr;
    last_ = id;
    return &entry.value;
  }

  // `hash` is the key's SourceKeyHash, computed once by the caller for
  // Find and Insert. Returns nullptr when absent.
  Value* Find(std::string_view key, uint64_t hash) {
    auto it = index_.find(Probe{key, hash});
    if (it == index_.end()) return nullptr;
    Follow(*it);
    return &At(*it).value;
  }

  // Adds `key`, which must be absent, with a default-constructed value.
  Value& Insert(std::string_view key, uint64_t hash) {
    Id id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = AppendEntry();
    }
    Entry& entry = At(id);
    entry.hash = hash;
    entry.key = StoreKey(key);
    entry.live = true;
    entry.next = kNone;
    index_.insert(id);
    Follow(id);
    return entry.value;
  }

  // Calls fn(key, value) for every entry, oldest first.
  template <typename Fn>
  void ForEach(Fn fn) {
    for (Id id = 0; id < next_id_; ++id) {
      Entry& entry = At(id);
      if (entry.live) fn(entry.key, entry.value);
    }
  }

  // Calls erase(key, value) for every entry, oldest first, and removes
  // those for which it returns true. May compact: values move, so no
  // pointer returned earlier survives this call.
  template <typename Fn>
  void EraseIf(Fn erase) {
    for (Id id = 0; id < next_id_; ++id) {
      Entry& entry = At(id);
      if (!entry.live || !erase(entry.key, entry.value)) continue;
      index_.erase(id);  // before the entry changes: its hash finds it
      entry.live = false;
      entry.value = Value();
      free_.push_back(id);
    }
    // Compaction moves the live entries: at most as many as were freed.
    if (free_.size() > index_.size()) Compact();
  }

 private:
  using Id = uint32_t;

  static constexpr Id kNone = UINT32_MAX;

  struct Entry {
    uint64_t hash = 0;
    std::string_view key;  // into key_chunks_
    Id next = kNone;       // looked up after this one, last time
    bool live = false;
    Value value;
  };

  struct Probe {
    std::string_view key;
    uint64_t hash;
  };

  // The index stores entry numbers; hashing and comparing them looks at the
  // entry, whose stored hash is compared before its key.
  struct IndexHash {
    using is_transparent = void;
    const SourceSeriesTable* table;
    size_t operator()(Id id) const { return table->At(id).hash; }
    size_t operator()(const Probe& probe) const { return probe.hash; }
  };
  struct IndexEq {
    using is_transparent = void;
    const SourceSeriesTable* table;
    bool operator()(Id a, Id b) const { return a == b; }
    bool operator()(const Probe& probe, Id id) const {
      const Entry& entry = table->At(id);
      return entry.hash == probe.hash && entry.key == probe.key;
    }
    bool operator()(Id id, const Probe& probe) const { return (*this)(probe, id); }
  };

  static constexpr Id kChunkEntries = 1024;
  static constexpr size_t kKeyChunkBytes = size_t{1} << 20;

  // Records that `id` was looked up after the previous lookup's entry.
  void Follow(Id id) {
    if (last_ != kNone) At(last_).next = id;
    last_ = id;
  }

  Entry& At(Id id) { return chunks_[id / kChunkEntries][id % kChunkEntries]; }
  const Entry& At(Id id) const { return chunks_[id / kChunkEntries][id % kChunkEntries]; }

  Id AppendEntry() {
    if (next_id_ % kChunkEntries == 0) chunks_.push_back(std::make_unique<Entry[]>(kChunkEntries));
    return next_id_++;
  }

  std::string_view StoreKey(std::string_view key) {
    if (key.size() > key_room_) {
      const size_t size = std::max(kKeyChunkBytes, key.size());
      // Not zeroed: a page counts towards RSS only once a key is written.
      key_chunks_.push_back(std::unique_ptr<char[]>(new char[size]));
      key_next_ = key_chunks_.back().get();
      key_room_ = size;
    }
    if (!key.empty()) std::memcpy(key_next_, key.data(), key.size());
    const std::string_view stored(key_next_, key.size());
    key_next_ += key.size();
    key_room_ -= key.size();
    return stored;
  }

  // Rewrites live entries and keys densely, in their order, and rebuilds
  // the index.
  void Compact() {
    std::vector<std::unique_ptr<Entry[]>> old_chunks = std::move(chunks_);
    std::vector<std::unique_ptr<char[]>> old_keys = std::move(key_chunks_);
    const Id old_count = next_id_;
    chunks_.clear();
    key_chunks_.clear();
    key_room_ = 0;
    next_id_ = 0;
    free_.clear();
    free_.shrink_to_fit();
    last_ = kNone;  // entry numbers change: the trace is learnt anew
    index_.clear();
    for (Id old_id = 0; old_id < old_count; ++old_id) {
      Entry& old = old_chunks[old_id / kChunkEntries][old_id % kChunkEntries];
      if (!old.live) continue;
      Entry& entry = At(AppendEntry());
      entry.hash = old.hash;
      entry.key = StoreKey(old.key);
      entry.live = true;
      entry.value = std::move(old.value);
    }
    index_.reserve(next_id_);
    for (Id id = 0; id < next_id_; ++id) index_.insert(id);
  }

  std::vector<std::unique_ptr<Entry[]>> chunks_;
  Id next_id_ = 0;
  Id last_ = kNone;  // the entry of the latest lookup
  std::vector<Id> free_;
  std::vector<std::unique_ptr<char[]>> key_chunks_;
  char* key_next_ = nullptr;
  size_t key_room_ = 0;
  absl::flat_hash_set<Id, IndexHash, IndexEq> index_;
};

}  // namespace vitals::gateway
