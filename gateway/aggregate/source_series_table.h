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
// Keys are held as two shared pieces, not as their bytes: the key's job,
// scope and metric, and its labels and sender (SourceKeyLabelsAt), each in
// a PieceDictionary. All metrics of one operator subtask share the second,
// all its subtasks the first, so a series' key costs two numbers instead of
// the 300-400 bytes of a Flink operator's identity. A lookup compares the
// key's two parts with the two pieces: two memcmps instead of one.
//
// Erased entries are reused; once more than half the entries are free,
// EraseIf compacts the table, so expired series give their memory back
// (a table left empty keeps nothing, not even one chunk).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gateway/aggregate/piece_dictionary.h"
#include "gateway/aggregate/source_key.h"

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
    if (!entry.live || !Holds(entry, key, SourceKeyLabelsAt(key))) return nullptr;
    last_ = id;
    return &entry.value;
  }

  // `hash` is the key's SourceKeyHash, computed once by the caller for
  // Find and Insert. Returns nullptr when absent.
  Value* Find(std::string_view key, uint64_t hash) {
    auto it = index_.find(Probe{key, SourceKeyLabelsAt(key), hash});
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
    const size_t split = SourceKeyLabelsAt(key);
    entry.hash = hash;
    entry.head = pieces_.Acquire(key.substr(0, split));
    entry.tail = pieces_.Acquire(key.substr(split));
    entry.live = true;
    entry.next = kNone;
    index_.insert(id);
    Follow(id);
    return entry.value;
  }

  // Calls fn(key, value) for every entry, oldest first; the key's view
  // is valid during the call.
  template <typename Fn>
  void ForEach(Fn fn) {
    std::string key;
    for (Id id = 0; id < next_id_; ++id) {
      Entry& entry = At(id);
      if (entry.live) fn(KeyOf(entry, &key), entry.value);
    }
  }

  // Calls erase(key, value) for every entry, oldest first, and removes
  // those for which it returns true. `key` is a callable that returns the
  // entry's key (put together when called, valid during the call). May
  // compact: values move, so no pointer returned earlier survives this
  // call.
  template <typename Fn>
  void EraseIf(Fn erase) {
    std::string scratch;
    for (Id id = 0; id < next_id_; ++id) {
      Entry& entry = At(id);
      if (!entry.live) continue;
      const auto key = [&] { return KeyOf(entry, &scratch); };
      if (!erase(key, entry.value)) continue;
      index_.erase(id);  // before the entry changes: its hash finds it
      pieces_.Release(entry.head);
      pieces_.Release(entry.tail);
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
    uint32_t head = 0;  // pieces_: the key before SourceKeyLabelsAt
    uint32_t tail = 0;  // and from there
    Id next = kNone;    // looked up after this one, last time
    bool live = false;
    Value value;
  };

  struct Probe {
    std::string_view key;
    size_t split;  // SourceKeyLabelsAt(key)
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
      return entry.hash == probe.hash && table->Holds(entry, probe.key, probe.split);
    }
    bool operator()(Id id, const Probe& probe) const { return (*this)(probe, id); }
  };

  static constexpr Id kChunkEntries = 1024;

  // Whether `entry` is the one of `key`, split at `split`.
  bool Holds(const Entry& entry, std::string_view key, size_t split) const {
    const std::string_view head = pieces_.at(entry.head);
    const std::string_view tail = pieces_.at(entry.tail);
    return head.size() == split && tail.size() == key.size() - split &&
           std::memcmp(head.data(), key.data(), split) == 0 &&
           std::memcmp(tail.data(), key.data() + split, tail.size()) == 0;
  }

  std::string_view KeyOf(const Entry& entry, std::string* out) const {
    out->assign(pieces_.at(entry.head));
    out->append(pieces_.at(entry.tail));
    return *out;
  }

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

  // Rewrites live entries densely, in their order, and rebuilds the
  // index and the pieces.
  void Compact() {
    std::vector<std::unique_ptr<Entry[]>> old_chunks = std::move(chunks_);
    // The dictionary is rebuilt too: a released piece frees its bytes, but
    // its slot and index entry stay until then.
    PieceDictionary old_pieces = std::move(pieces_);
    pieces_ = PieceDictionary();
    const Id old_count = next_id_;
    chunks_.clear();
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
      entry.head = pieces_.Acquire(old_pieces.at(old.head));
      entry.tail = pieces_.Acquire(old_pieces.at(old.tail));
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
  PieceDictionary pieces_;
  absl::flat_hash_set<Id, IndexHash, IndexEq> index_;
};

}  // namespace vitals::gateway
