#pragma once

// The differential check of BatchDecoder (scorer/window/batch_decoder.h)
// against protobuf's own parser, shared by the fuzz target
// (metric_batch_fuzzer.cc) and the unit test (batch_decoder_test.cc).
//
// For one input it runs the decoder three ways — Decode alone, then
// DecodeHeader + DecodeSeries twice with a resolver that learns every
// series (the second pass takes the compare-the-prefix path the scorer's
// window takes for series it knows) — and requires each to accept exactly
// when MetricBatch::ParseFromArray accepts and to read the same values:
// the message it reads, unknown fields dropped, serializes
// deterministically to the same bytes as protobuf's.

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/stubs/logging.h"
#include "scorer/window/batch_decoder.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer::testing {

// A SeriesResolver that wants every series: one slot per identity (scope,
// metric, labels as a map), guesses the slot that followed the previous
// one last time, and remembers each slot's two newest prefixes, as
// IntervalWindow does. It may be given any number of batches.
class LearningResolver final : public SeriesResolver {
 public:
  void BeginBatch() override { previous_ = kNoSlot; }
  uint32_t Guess(std::span<const std::string>* prefixes) override {
    const uint32_t guess = previous_ == kNoSlot ? first_ : slots_[previous_].next;
    if (guess == kNoSlot) return kNoSlot;
    *prefixes = slots_[guess].prefixes;
    return guess;
  }
  void Hit(uint32_t slot) override {
    ++hits_;
    Follow(slot);
  }
  uint32_t Resolve(const SeriesView& series, std::string_view prefix) override {
    v1::SeriesAggregate identity;
    identity.set_scope(static_cast<v1::Scope>(series.scope));
    identity.set_metric(std::string(series.metric));
    for (const LabelRef& l : series.labels) {
      (*identity.mutable_labels())[std::string(l.name)] = std::string(l.value);
    }
    const std::string key = Key(identity);
    auto [it, inserted] = by_key_.try_emplace(key, static_cast<uint32_t>(slots_.size()));
    if (inserted) slots_.push_back({std::move(identity), {}, kNoSlot});
    Slot& s = slots_[it->second];
    if (!prefix.empty() &&
        std::find(s.prefixes.begin(), s.prefixes.end(), prefix) == s.prefixes.end()) {
      if (s.prefixes.size() == 2) s.prefixes.erase(s.prefixes.begin());
      s.prefixes.emplace_back(prefix);
    }
    Follow(it->second);
    return it->second;
  }

  // The identity of a slot: scope, metric and labels set.
  const v1::SeriesAggregate& identity(uint32_t slot) const { return slots_[slot].identity; }
  size_t hits() const { return hits_; }

 private:
  struct Slot {
    v1::SeriesAggregate identity;
    std::vector<std::string> prefixes;
    uint32_t next;
  };

  static std::string Key(const v1::SeriesAggregate& identity) {
    std::string key = std::to_string(identity.scope()) + '\0' + identity.metric();
    std::vector<std::pair<std::string, std::string>> labels(identity.labels().begin(),
                                                            identity.labels().end());
    std::sort(labels.begin(), labels.end());
    for (const auto& [name, value] : labels) {
      key += '\0' + std::to_string(name.size()) + ':' + name + std::to_string(value.size()) + ':' +
             value;
    }
    return key;
  }

  void Follow(uint32_t slot) {
    if (previous_ == kNoSlot) {
      first_ = slot;
    } else {
      slots_[previous_].next = slot;
    }
    previous_ = slot;
  }

  std::vector<Slot> slots_;
  std::map<std::string, uint32_t> by_key_;
  uint32_t first_ = kNoSlot;
  uint32_t previous_ = kNoSlot;
  size_t hits_ = 0;
};

// `message` without unknown fields, serialized deterministically (maps by
// key): equal bytes, equal values (NaNs and signed zeros included).
inline std::string Canonical(v1::MetricBatch message) {
  message.DiscardUnknownFields();
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// What `decoder` read, the identity of series it resolved to a slot taken
// from `resolver` (such series carry only their figures).
inline v1::MetricBatch Read(const BatchDecoder& decoder, const LearningResolver* resolver) {
  v1::MetricBatch out;
  decoder.ToMessage(&out);
  if (resolver == nullptr) return out;
  for (size_t i = 0; i < decoder.series().size(); ++i) {
    const SeriesView& s = decoder.series()[i];
    if (s.slot == SeriesResolver::kNoSlot) continue;
    v1::SeriesAggregate* m = out.mutable_series(static_cast<int>(i));
    const v1::SeriesAggregate& identity = resolver->identity(s.slot);
    m->set_scope(identity.scope());
    m->set_metric(identity.metric());
    *m->mutable_labels() = identity.labels();
  }
  return out;
}

// Empty when every way of decoding `bytes` agrees with protobuf (through
// `resolver`, which keeps what it learnt); else what disagreed.
inline std::string Disagreement(std::string_view bytes, LearningResolver& resolver) {
  // Protobuf logs every string it refuses; the verdict is what counts.
  google::protobuf::LogSilencer quiet;
  v1::MetricBatch expected;
  const bool accepted = expected.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  const std::string want = accepted ? Canonical(expected) : std::string();

  BatchDecoder decoder;
  if (decoder.Decode(bytes) != accepted) {
    return accepted ? "Decode refused what protobuf accepts"
                    : "Decode accepted what protobuf refuses";
  }
  if (accepted && Canonical(Read(decoder, nullptr)) != want) return "Decode read other values";

  for (int pass = 0; pass < 2; ++pass) {
    const bool ok = decoder.DecodeHeader(bytes) && decoder.DecodeSeries(&resolver);
    if (ok != accepted) {
      return std::string(accepted ? "DecodeSeries refused" : "DecodeSeries accepted") + " (pass " +
             std::to_string(pass) + ")";
    }
    if (accepted && Canonical(Read(decoder, &resolver)) != want) {
      return "DecodeSeries read other values (pass " + std::to_string(pass) + ")";
    }
  }

  // Load reads a message into the same views.
  if (accepted) {
    decoder.Load(expected);
    if (Canonical(Read(decoder, nullptr)) != want) return "Load read other values";
  }
  return {};
}

}  // namespace vitals::scorer::testing
