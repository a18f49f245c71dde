#pragma once

// Open-addressing tables that keep their slots between bodies. Clear() only
// bumps a generation, so clearing a table that once grew large costs nothing
// and refilling it allocates nothing: what lets a warm parser run without
// heap allocation. Probed per sample, hence header-only. Internal to the
// promtext parser.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace vitals::gateway::promtext_internal {

template <typename Slot>
class GenerationSlots {
 protected:
  // Index of the slot for `hash` where `match` holds, or of the free slot
  // where it would go.
  template <typename Match>
  size_t Probe(uint64_t hash, Match match) const {
    size_t i = hash & mask_;
    while (slots_[i].generation == generation_ && !match(slots_[i])) i = (i + 1) & mask_;
    return i;
  }
  bool Used(size_t i) const { return slots_[i].generation == generation_; }
  Slot& Claim(size_t i) {
    ++size_;
    slots_[i].generation = generation_;
    return slots_[i];
  }
  // Makes room for one more entry; true if the slots moved (indices changed).
  template <typename Rehash>
  bool Reserve(Rehash rehash) {
    if ((size_ + 1) * 2 <= slots_.size()) return false;
    std::vector<Slot> old = std::move(slots_);
    const uint32_t old_generation = generation_;
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    generation_ = 1;
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.generation == old_generation) rehash(slot);
    }
    return true;
  }

 public:
  void Clear() {
    size_ = 0;
    if (++generation_ == 0) {  // wrapped: stale slots could look current
      for (Slot& slot : slots_) slot.generation = 0;
      generation_ = 1;
    }
  }

 protected:
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint32_t generation_ = 1;
};

inline uint64_t HashView(std::string_view s) { return std::hash<std::string_view>{}(s); }

struct ViewSlot {
  uint32_t generation = 0;
  uint32_t value = 0;
  std::string_view key;
  uint64_t hash = 0;
};

// string_view -> uint32; the caller keeps the keys' bytes alive.
class ViewTable : public GenerationSlots<ViewSlot> {
 public:
  static constexpr uint32_t kMissing = std::numeric_limits<uint32_t>::max();

  uint32_t Find(std::string_view key) const {
    if (slots_.empty()) return kMissing;
    const uint64_t hash = HashView(key);
    const size_t i = Probe(hash, [&](const ViewSlot& s) { return s.hash == hash && s.key == key; });
    return Used(i) ? slots_[i].value : kMissing;
  }

  // `key` must be absent.
  void Insert(std::string_view key, uint32_t value) { Put(key, HashView(key), value); }

 private:
  void Put(std::string_view key, uint64_t hash, uint32_t value) {
    Reserve([this](const ViewSlot& s) { Put(s.key, s.hash, s.value); });
    ViewSlot& slot = Claim(Probe(hash, [](const ViewSlot&) { return false; }));
    slot.key = key;
    slot.hash = hash;
    slot.value = value;
  }
};

struct HashSlot {
  uint32_t generation = 0;
  uint64_t key = 0;
};

// A set of (already well mixed) 64-bit hashes.
class HashSet : public GenerationSlots<HashSlot> {
 public:
  bool Contains(uint64_t key) const {
    if (slots_.empty()) return false;
    return Used(Probe(key, [&](const HashSlot& s) { return s.key == key; }));
  }
  void Insert(uint64_t key) {
    if (Contains(key)) return;
    Reserve([this](const HashSlot& s) { Insert(s.key); });
    Claim(Probe(key, [](const HashSlot&) { return false; })).key = key;
  }
};

// A set of strings that owns them in reused chunks, so steady-state inserts
// do not allocate and its views stay put while it grows.
class InternedSet {
 public:
  // False if `s` was already present.
  bool Insert(std::string_view s) {
    if (table_.Find(s) != ViewTable::kMissing) return false;
    table_.Insert(Store(s), 0);
    return true;
  }
  void Clear() {
    table_.Clear();
    current_ = 0;
    used_ = 0;
  }

 private:
  static constexpr size_t kChunkBytes = 16 * 1024;
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  std::string_view Store(std::string_view s) {
    if (s.empty()) return {};
    for (; current_ < chunks_.size(); ++current_, used_ = 0) {
      if (chunks_[current_].size - used_ >= s.size()) break;
    }
    if (current_ == chunks_.size()) {
      const size_t size = std::max(kChunkBytes, s.size());
      chunks_.push_back({std::make_unique<char[]>(size), size});
      used_ = 0;
    }
    char* dst = chunks_[current_].data.get() + used_;
    std::memcpy(dst, s.data(), s.size());
    used_ += s.size();
    return {dst, s.size()};
  }

  ViewTable table_;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace vitals::gateway::promtext_internal
