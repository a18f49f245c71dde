#include "scorer/state/record_fit.h"

#include "google/protobuf/io/coded_stream.h"

namespace vitals::scorer {
namespace {

// What one element of a top-level repeated message field adds to the
// record: a one-byte tag (field numbers below 16), its length, itself.
size_t EncodedCost(const google::protobuf::MessageLite& element) {
  const size_t size = element.ByteSizeLong();
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(size) + size;
}

// Drops the oldest elements of `items` until `size` is at most `max_bytes`
// or none is left; returns how many went.
template <typename T>
size_t DropOldest(google::protobuf::RepeatedPtrField<T>* items, size_t max_bytes, size_t& size) {
  int drop = 0;
  while (size > max_bytes && drop < items->size()) size -= EncodedCost(items->Get(drop++));
  items->DeleteSubrange(0, drop);
  return static_cast<size_t>(drop);
}

}  // namespace

FitOutcome FitRecord(v1::JobState& state, size_t max_bytes) {
  FitOutcome out;
  size_t size = state.ByteSizeLong();
  if (size <= max_bytes) return out;
  out.history_dropped = DropOldest(state.mutable_history(), max_bytes, size);
  out.migrations_dropped = DropOldest(state.mutable_migrations(), max_bytes, size);
  out.fits = state.ByteSizeLong() <= max_bytes;
  return out;
}

}  // namespace vitals::scorer
