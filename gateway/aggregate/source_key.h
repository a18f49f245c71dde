#pragma once

// The identity of a source series as one byte string: job, scope, metric
// (with a summary field's suffix), every label and the sender. Pieces are
// length-prefixed, so no label value can forge a boundary. Built on every
// sample, so the encoder reuses one buffer and copies with inline word
// moves instead of a library call per piece.

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/base/hash_mix.h"
#include "common/base/varint.h"
#include "gateway/receivers/sample.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::gateway {

class SourceKeyEncoder {
 public:
  // The returned view is valid until the next call.
  std::string_view Encode(std::string_view job_name, v1::Scope scope, std::string_view metric,
                          std::string_view suffix, std::span<const LabelView> labels,
                          std::string_view source) {
    size_t bound = job_name.size() + metric.size() + suffix.size() + source.size() + 32;
    for (const LabelView& label : labels) bound += label.name.size() + label.value.size() + 20;
    if (bound > capacity_) {
      capacity_ = bound * 2;
      buffer_ = std::make_unique<char[]>(capacity_);
    }
    char* p = buffer_.get();
    p = PutPiece(p, job_name);
    *p++ = static_cast<char>(scope);
    if (suffix.empty()) {
      p = PutPiece(p, metric);
    } else {
      p = PutVarint(p, metric.size() + 1 + suffix.size());
      p = PutBytes(p, metric);
      *p++ = '_';
      p = PutBytes(p, suffix);
    }
    p = PutVarint(p, labels.size());
    for (const LabelView& label : labels) {
      p = PutPiece(p, label.name);
      p = PutPiece(p, label.value);
    }
    p = PutPiece(p, source);
    return {buffer_.get(), static_cast<size_t>(p - buffer_.get())};
  }

 private:
  // Short pieces dominate (label names, subtask indexes): copy them with
  // at most two overlapping moves instead of a loop over bytes.
  static char* PutBytes(char* p, std::string_view s) {
    const char* from = s.data();
    const size_t n = s.size();
    if (n >= 8) {
      size_t i = 0;
      for (; i + 8 <= n; i += 8) std::memcpy(p + i, from + i, 8);
      if (i < n) std::memcpy(p + n - 8, from + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(p, from, 4);
      std::memcpy(p + n - 4, from + n - 4, 4);
    } else if (n > 0) {
      p[0] = from[0];
      p[n / 2] = from[n / 2];
      p[n - 1] = from[n - 1];
    }
    return p + n;
  }

  static char* PutPiece(char* p, std::string_view s) { return PutBytes(PutVarint(p, s.size()), s); }

  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
};

// Reads an encoded key piece by piece; each read is false past the end or
// on a malformed length.
class SourceKeyReader {
 public:
  explicit SourceKeyReader(std::string_view key) : key_(key) {}

  bool Length(size_t* n) {
    const char* p = key_.data() + at_;
    uint64_t v = 0;
    const bool ok = ReadVarint(p, key_.data() + key_.size(), &v);
    at_ = static_cast<size_t>(p - key_.data());
    *n = static_cast<size_t>(v);
    return ok;
  }
  bool Piece(std::string_view* s) {
    size_t n = 0;
    if (!Length(&n) || n > key_.size() - at_) return false;
    *s = key_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool Byte(uint8_t* b) {
    if (at_ >= key_.size()) return false;
    *b = static_cast<uint8_t>(key_[at_++]);
    return true;
  }
  bool done() const { return at_ == key_.size(); }
  // Bytes read so far.
  size_t position() const { return at_; }

 private:
  std::string_view key_;
  size_t at_ = 0;
};

// Where an encoded key's job, scope and metric end and its labels and
// sender begin; the key's size when it is not an encoding. On every
// sample's lookup: job and metric names under 128 bytes (one length byte)
// are read inline.
inline size_t SourceKeyLabelsAt(std::string_view key) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  const size_t n = key.size();
  if (n > 0 && p[0] < 0x80) {
    const size_t metric_at = 2 + size_t{p[0]};  // past the job's length, the job, the scope
    if (metric_at < n && p[metric_at] < 0x80) {
      const size_t labels_at = metric_at + 1 + p[metric_at];
      if (labels_at <= n) return labels_at;
    }
  }
  SourceKeyReader in(key);
  std::string_view piece;
  uint8_t scope = 0;
  if (in.Piece(&piece) && in.Byte(&scope) && in.Piece(&piece)) return in.position();
  return n;
}

// A key taken apart again (for re-routing held series when the fold rules
// change). Views point into the key.
struct DecodedSourceKey {
  std::string_view job_name;
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  std::string_view metric;  // with a summary field's suffix
  std::vector<LabelView> labels;
  std::string_view source;
};

// False when `key` is not an encoding made by SourceKeyEncoder.
inline bool DecodeSourceKey(std::string_view key, DecodedSourceKey* out) {
  SourceKeyReader in(key);
  uint8_t scope = 0;
  size_t labels = 0;
  if (!in.Piece(&out->job_name) || !in.Byte(&scope) || !in.Piece(&out->metric) ||
      !in.Length(&labels) || labels > key.size()) {
    return false;
  }
  out->scope = static_cast<v1::Scope>(scope);
  out->labels.resize(labels);
  for (LabelView& label : out->labels) {
    if (!in.Piece(&label.name) || !in.Piece(&label.value)) return false;
  }
  return in.Piece(&out->source) && in.done();
}

// The sender piece of an encoded key, without taking the rest apart (the
// source of an expiring series); empty when `key` is not an encoding.
inline std::string_view SourceOfKey(std::string_view key) {
  SourceKeyReader in(key);
  std::string_view piece;
  uint8_t scope = 0;
  size_t labels = 0;
  if (!in.Piece(&piece) || !in.Byte(&scope) || !in.Piece(&piece) || !in.Length(&labels) ||
      labels > key.size()) {
    return {};
  }
  for (size_t i = 0; i < 2 * labels; ++i) {
    if (!in.Piece(&piece)) return {};
  }
  if (!in.Piece(&piece) || !in.done()) return {};
  return piece;
}

// Hashes encoded keys for the source-series table (and job names onto
// shards). Inline, and built for the ~300-byte keys of Flink operator
// series: every 16-byte block is one independent 64x64->128 multiply folded
// into a sum, so the blocks hash in parallel. Equal keys are still compared
// in full; the hash only spreads.
struct SourceKeyHash {
  static uint64_t Hash(const char* p, size_t n) {
    uint64_t acc = 0x243f6a8885a308d3ull ^ (n * 0x9e3779b97f4a7c15ull);
    uint64_t block = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16, ++block) {
      acc += Fold(Load(p + i) ^ kSecret[block & 7],
                  Load(p + i + 8) ^ kSecret[8 + (block & 7)] ^ block);
    }
    if (i < n) {
      uint64_t lo = 0;
      uint64_t hi = 0;
      if (n >= 16) {  // the last 16 bytes, overlapping what came before
        lo = Load(p + n - 16);
        hi = Load(p + n - 8);
      } else {
        std::memcpy(&lo, p, n < 8 ? n : 8);
        if (n > 8) std::memcpy(&hi, p + 8, n - 8);
      }
      acc += Fold(lo ^ 0x452821e638d01377ull, hi ^ 0xbe5466cf34e90c6cull ^ block);
    }
    return MixBits(acc);
  }

 private:
  static uint64_t Load(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t Fold(uint64_t a, uint64_t b) {
    const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  }

  // Arbitrary odd constants (digits of pi and e in hex).
  static constexpr uint64_t kSecret[16] = {
      0xa4093822299f31d1ull, 0x082efa98ec4e6c89ull, 0xc0ac29b7c97c50ddull, 0x3f84d5b5b5470917ull,
      0x9216d5d98979fb1bull, 0xd1310ba698dfb5adull, 0x2ffd72dbd01adfb7ull, 0xb8e1afed6a267e97ull,
      0xb7e151628aed2a6bull, 0xbf7158809cf4f3c7ull, 0x62e7160f38b4da57ull, 0xa784d9045190cfefull,
      0x324e7738926cfbe5ull, 0xf4bf8d8d8c31d763ull, 0xda06c80abb1185ebull, 0x4f7c7b5757f59585ull,
  };
};

}  // namespace vitals::gateway
