// Feeds arbitrary lines to FamilyBlocks, which splits every pushed line
// into shared pieces and value text. Whatever the bytes, each family must
// read back as its `# TYPE` line and exactly its lines, in the order they
// came, and again after a POST-style merge.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/receivers/pushgateway/family_blocks.h"

namespace {

using vitals::gateway::FamilyBlocks;
using vitals::gateway::SampleType;
using vitals::gateway::TextFormat;

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr SampleType kTypes[] = {SampleType::kGauge, SampleType::kCounter, SampleType::kSummary,
                                 SampleType::kUntyped};
constexpr std::string_view kTypeNames[] = {"gauge", "counter", "summary", "untyped"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // A line's first byte picks one of four families (and its type), so
  // families interleave as Prometheus text allows.
  std::vector<std::string> expected(4);
  FamilyBlocks::Builder builder(body, TextFormat::kPrometheus004);
  bool used[4] = {false, false, false, false};
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    const size_t f = end > start ? static_cast<unsigned char>(body[start]) % 4 : 0;
    const std::string family = "f" + std::to_string(f);
    builder.AddLine(family, kTypes[f], start, end);
    if (!used[f]) {
      expected[f] = "# TYPE " + family + " " + std::string(kTypeNames[f]) + "\n";
      used[f] = true;
    }
    expected[f].append(body.substr(start, end - start)).push_back('\n');
    start = end + 1;
  }
  const FamilyBlocks blocks = std::move(builder).Build();
  const FamilyBlocks merged = FamilyBlocks::Merge(FamilyBlocks(), blocks);
  for (const FamilyBlocks* held : {&blocks, &merged}) {
    size_t i = 0;
    std::string text;
    for (size_t f = 0; f < 4; ++f) {
      if (!used[f]) continue;
      Check(i < held->size());
      const auto block = held->at(i++, &text);
      Check(block.family == "f" + std::to_string(f));
      Check(block.text == expected[f]);
    }
    Check(i == held->size());
  }
  return 0;
}
