#include "gateway/receivers/pushgateway/family_blocks.h"

#include <algorithm>
#include <numeric>

#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

std::string_view TypeName(SampleType type) {
  switch (type) {
    case SampleType::kGauge:
      return "gauge";
    case SampleType::kCounter:
      return "counter";
    case SampleType::kSummary:
      return "summary";
    case SampleType::kHistogram:
      return "histogram";
    case SampleType::kGaugeHistogram:
      return "gaugehistogram";
    case SampleType::kInfo:
      return "info";
    case SampleType::kStateSet:
      return "stateset";
    case SampleType::kUntyped:
      break;
  }
  return "untyped";
}

}  // namespace

void FamilyBlocks::Builder::AddLine(std::string_view family, SampleType type, size_t start,
                                    size_t end) {
  auto [it, inserted] =
      family_ids_.try_emplace(AsAbsl(family), static_cast<uint32_t>(families_.size()));
  if (inserted) families_.push_back({std::string(family), type});
  lines_.push_back({it->second, start, end});
}

FamilyBlocks FamilyBlocks::Builder::Build() && {
  FamilyBlocks blocks;
  std::vector<uint32_t> order(families_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return families_[a].name < families_[b].name; });
  // Each family's lines in body order: count, then place (a counting sort,
  // stable, as the lines came).
  std::vector<size_t> first(families_.size() + 1, 0);
  size_t bytes = 0;
  for (const Line& line : lines_) {
    ++first[line.family + 1];
    bytes += line.end - line.start + 1;
  }
  std::partial_sum(first.begin(), first.end(), first.begin());
  std::vector<const Line*> by_family(lines_.size());
  for (const Line& line : lines_) by_family[first[line.family]++] = &line;
  // first[f] now ends family f's run; its start is the previous end.
  for (const Family& family : families_) {
    bytes += kNameOffset + family.name.size() + 1 + TypeName(family.type).size() + 1;
  }
  blocks.text_.reserve(bytes);
  blocks.entries_.reserve(families_.size());
  for (uint32_t f : order) {
    const Family& family = families_[f];
    const size_t offset = blocks.text_.size();
    const std::string_view type =
        format_ == TextFormat::kOpenMetrics100 && family.type == SampleType::kUntyped
            ? "unknown"
            : TypeName(family.type);
    blocks.text_.append("# TYPE ").append(family.name).append(" ");
    blocks.text_.append(type).append("\n");
    const size_t begin = f == 0 ? 0 : first[f - 1];
    for (size_t i = begin; i < first[f]; ++i) {
      const Line& line = *by_family[i];
      blocks.text_.append(body_.substr(line.start, line.end - line.start)).push_back('\n');
    }
    blocks.entries_.push_back(
        {offset, blocks.text_.size() - offset, static_cast<uint32_t>(family.name.size()), format_});
  }
  return blocks;
}

FamilyBlock FamilyBlocks::at(size_t i) const {
  const Entry& e = entries_[i];
  const std::string_view text(text_.data() + e.offset, e.size);
  return {text.substr(kNameOffset, e.name_size), e.format, text};
}

FamilyBlocks FamilyBlocks::Merge(const FamilyBlocks& older, const FamilyBlocks& newer) {
  FamilyBlocks merged;
  merged.text_.reserve(older.text_.size() + newer.text_.size());
  merged.entries_.reserve(older.size() + newer.size());
  const auto take = [&merged](const FamilyBlock& block) {
    merged.entries_.push_back({merged.text_.size(), block.text.size(),
                               static_cast<uint32_t>(block.family.size()), block.format});
    merged.text_.append(block.text);
  };
  // Both sorted by name: one pass, the newer block winning a tie.
  size_t i = 0;
  size_t j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size()) {
      take(older.at(i++));
      continue;
    }
    if (i == older.size()) {
      take(newer.at(j++));
      continue;
    }
    const FamilyBlock a = older.at(i);
    const FamilyBlock b = newer.at(j);
    if (a.family < b.family) {
      take(a);
      ++i;
    } else {
      if (a.family == b.family) ++i;
      take(b);
      ++j;
    }
  }
  merged.text_.shrink_to_fit();
  return merged;
}

}  // namespace vitals::gateway
