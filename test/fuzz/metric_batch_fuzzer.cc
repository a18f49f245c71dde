// Fuzz target for the scorer's MetricBatch decoder
// (scorer/window/batch_decoder.h): it must accept exactly what protobuf's
// MetricBatch::ParseFromArray accepts and read the same values, by every
// way in (metric_batch_check.h). Aborts on any disagreement.
//
// An input is one record, or several separated by kSeparator: the records
// then go through one resolver in turn, so that a record resembling an
// earlier one (the same series, damaged) is read by comparing the series'
// known identity bytes, as the scorer's window reads a job's batches.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "test/fuzz/metric_batch_check.h"

namespace {

constexpr std::string_view kSeparator = "#|#";

void Check(std::string_view bytes, vitals::scorer::testing::LearningResolver& resolver) {
  const std::string error = vitals::scorer::testing::Disagreement(bytes, resolver);
  if (error.empty()) return;
  std::fprintf(stderr, "BatchDecoder disagrees with protobuf: %s\n", error.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  {
    vitals::scorer::testing::LearningResolver resolver;
    Check(input, resolver);
  }
  if (input.find(kSeparator) == std::string_view::npos) return 0;
  vitals::scorer::testing::LearningResolver resolver;
  std::string_view rest = input;
  while (true) {
    const size_t at = rest.find(kSeparator);
    Check(rest.substr(0, at), resolver);
    if (at == std::string_view::npos) break;
    rest.remove_prefix(at + kSeparator.size());
  }
  return 0;
}
