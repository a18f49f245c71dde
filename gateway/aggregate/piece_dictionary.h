#pragma once

// Strings held once, by number, with a count of their users: the parts of
// source-series keys that many series share (a job's metric; an operator
// subtask's labels and sender) held once instead of once per series.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace vitals::gateway {

class PieceDictionary {
 public:
  // The number of `piece`, held once more.
  uint32_t Acquire(std::string_view piece) {
    const absl::string_view view(piece.data(), piece.size());
    if (auto it = ids_.find(view); it != ids_.end()) {
      ++pieces_[it->second].users;
      return it->second;
    }
    uint32_t id;
    if (free_.empty()) {
      id = static_cast<uint32_t>(pieces_.size());
      pieces_.emplace_back();
    } else {
      id = free_.back();
      free_.pop_back();
    }
    Piece& p = pieces_[id];
    p.bytes = std::make_unique<char[]>(piece.size());
    if (!piece.empty()) std::memcpy(p.bytes.get(), piece.data(), piece.size());
    p.size = piece.size();
    p.users = 1;
    ids_.emplace(absl::string_view(p.bytes.get(), p.size), id);
    return id;
  }

  // One user of `id` fewer; the piece is forgotten with its last user.
  void Release(uint32_t id) {
    Piece& p = pieces_[id];
    if (--p.users > 0) return;
    ids_.erase(absl::string_view(p.bytes.get(), p.size));
    p.bytes.reset();
    p.size = 0;
    free_.push_back(id);
  }

  std::string_view at(uint32_t id) const {
    const Piece& p = pieces_[id];
    return {p.bytes.get(), p.size};
  }

  // Distinct pieces held.
  size_t size() const { return ids_.size(); }

 private:
  struct Piece {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;
    uint64_t users = 0;
  };

  std::vector<Piece> pieces_;
  std::vector<uint32_t> free_;
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;  // views into pieces_
};

}  // namespace vitals::gateway
