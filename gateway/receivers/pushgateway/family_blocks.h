#pragma once

// A pushed group's metric families as the Pushgateway API must keep them:
// each family's `# TYPE` line and sample lines, replaced whole by a later
// push of the same family, in family-name order.
//
// Held compactly, because a gateway holds every pod's last push for as long
// as the pod lives: a Flink push repeats the same label pairs on hundreds
// of lines (`job_id="…",`, `tm_id="…",`, `task_name="…",`, each metric's
// name), so each line is kept as references to the group's distinct pieces
// (the name with its `{`, each `label="value",`) plus its value text, and
// each distinct piece once. Lossless: a block reads back byte for byte as
// it was pushed. Pieces are the group's own, not shared with other groups:
// building a push needs no lock and a group's memory goes with it.

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
    friend class FamilyBlocks;
    struct Family {
      std::string name;
      SampleType type;
      TextFormat format;
    };
    struct Line {
      uint32_t family;
      size_t start;
      size_t end;
    };

    void AddLine(std::string_view family, SampleType type, TextFormat format, size_t start,
                 size_t end);

    std::string_view body_;
    TextFormat format_;
    std::vector<Family> families_;
    absl::flat_hash_map<std::string, uint32_t> family_ids_;
    std::vector<Line> lines_;
  };

  // Reads the blocks back; a block's text lives in the iterator until it
  // moves on.
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = FamilyBlock;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = FamilyBlock;

    Iterator(const FamilyBlocks* blocks, size_t i) : blocks_(blocks), i_(i) {}
    FamilyBlock operator*() const { return blocks_->at(i_, &text_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }

   private:
    const FamilyBlocks* blocks_;
    size_t i_;
    mutable std::string text_;
  };

  FamilyBlocks() = default;

  // POST: `older`'s families that `newer` does not carry, and all of
  // `newer`'s.
  static FamilyBlocks Merge(const FamilyBlocks& older, const FamilyBlocks& newer);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // Block `i` in family-name order; its text is written into `text`.
  FamilyBlock at(size_t i, std::string* text) const;
  std::string_view family(size_t i) const { return Piece(entries_[i].name); }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, entries_.size()}; }

  // Bytes held (pieces, line codes, index), for tests and accounting.
  size_t held_bytes() const;

 private:
  class Encoder;

  struct Entry {
    uint32_t name;  // piece
    SampleType type;
    TextFormat format;
    size_t code_at;  // the block's lines in code_
    size_t code_size;
  };

  std::string_view Piece(uint32_t id) const {
    return std::string_view(pieces_).substr(piece_at_[id], piece_at_[id + 1] - piece_at_[id]);
  }

  // Distinct pieces, back to back; piece i is [piece_at_[i], piece_at_[i+1]).
  std::string pieces_;
  std::vector<uint32_t> piece_at_;
  // Per line: base-128 numbers, each (piece << 1 | 1) for a piece or
  // (length << 1) followed by that many bytes of text.
  std::string code_;
  std::vector<Entry> entries_;  // sorted by family name
};

}  // namespace vitals::gateway
