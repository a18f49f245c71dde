#pragma once

// A pushed group's metric families as the Pushgateway API must keep them:
// each family's `# TYPE` line and sample lines, replaced whole by a later
// push of the same family. Held as one buffer with an index sorted by family
// name, not as a map of per-family strings: a Flink push is a hundred or
// more families of one or a few lines each, and a string, a map node and a
// name per family cost more than the line itself (and as many allocations
// per push).

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gateway/receivers/promtext/parser.h"

namespace vitals::gateway {

struct FamilyBlock {
  std::string_view family;
  TextFormat format = TextFormat::kPrometheus004;
  std::string_view text;  // `# TYPE` line and the family's sample lines
};

class FamilyBlocks {
 public:
  // Collects a body's lines by family (in any order; a family's lines keep
  // theirs), then lays them out.
  class Builder {
   public:
    Builder(std::string_view body, TextFormat format) : body_(body), format_(format) {}

    // The body's line [start, end) belongs to `family` of `type`.
    void AddLine(std::string_view family, SampleType type, size_t start, size_t end);
    FamilyBlocks Build() &&;

   private:
    struct Family {
      std::string name;
      SampleType type;
    };
    struct Line {
      uint32_t family;
      size_t start;
      size_t end;
    };

    std::string_view body_;
    TextFormat format_;
    std::vector<Family> families_;
    absl::flat_hash_map<std::string, uint32_t> family_ids_;
    std::vector<Line> lines_;
  };

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = FamilyBlock;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = FamilyBlock;

    Iterator(const FamilyBlocks* blocks, size_t i) : blocks_(blocks), i_(i) {}
    FamilyBlock operator*() const { return blocks_->at(i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }

   private:
    const FamilyBlocks* blocks_;
    size_t i_;
  };

  FamilyBlocks() = default;

  // POST: `older`'s families that `newer` does not carry, and all of
  // `newer`'s.
  static FamilyBlocks Merge(const FamilyBlocks& older, const FamilyBlocks& newer);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // In family-name order.
  FamilyBlock at(size_t i) const;
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, entries_.size()}; }

 private:
  // A block starts with "# TYPE <family> ", so its name is at a fixed
  // place in it.
  static constexpr size_t kNameOffset = 7;

  struct Entry {
    size_t offset;  // of the block in text_
    size_t size;
    uint32_t name_size;
    TextFormat format;
  };

  std::string text_;
  std::vector<Entry> entries_;  // sorted by family name
};

}  // namespace vitals::gateway
