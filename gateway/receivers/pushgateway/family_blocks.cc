#include "gateway/receivers/pushgateway/family_blocks.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "absl/strings/string_view.h"
#include "common/base/strings.h"
#include "common/base/varint.h"

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

// Where a line splits into pieces: after its name's `{`, after each `,`
// before the closing `}`, and after that `}` (without labels, after the
// name); the value text after it is kept as it is. A `,` inside a label
// value splits it too, and an exemplar's `}` moves the last split past the
// value: harmless, as a line is its pieces and text concatenated, however
// they fall. Commas are found with memchr, not byte by byte: this runs
// over every pushed byte.
class FamilyBlocks::Encoder {
 public:
  // Pieces are looked up by views into the text being encoded, which must
  // outlive the encoder.
  explicit Encoder(FamilyBlocks* out) : out_(out) {}

  uint32_t Piece(std::string_view piece) {
    auto [it, added] =
        ids_.try_emplace(AsAbsl(piece), static_cast<uint32_t>(out_->piece_at_.size()));
    if (added) {
      out_->piece_at_.push_back(static_cast<uint32_t>(out_->pieces_.size()));
      out_->pieces_.append(piece);
    }
    return it->second;
  }

  // Encodes `line` (without its newline) and a newline.
  void Line(std::string_view line) {
    size_t start = 0;
    size_t position = 0;
    const size_t open = line.find('{');
    const size_t close = line.rfind('}');
    if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
      PutPiece(position++, line.substr(0, open + 1));
      start = open + 1;
      while (const void* comma = std::memchr(line.data() + start, ',', close - start)) {
        const size_t end = static_cast<size_t>(static_cast<const char*>(comma) - line.data()) + 1;
        PutPiece(position++, line.substr(start, end - start));
        start = end;
      }
      PutPiece(position++, line.substr(start, close + 1 - start));
      start = close + 1;
    } else if (const size_t space = line.find(' '); space != std::string_view::npos && space > 0) {
      PutPiece(position++, line.substr(0, space));
      start = space;
    }
    const std::string_view rest = line.substr(start);
    AppendVarint(out_->code_, (rest.size() + 1) << 1);
    out_->code_.append(rest).push_back('\n');
  }

  // Seals the pieces' index.
  void Finish() {
    out_->piece_at_.push_back(static_cast<uint32_t>(out_->pieces_.size()));
    out_->pieces_.shrink_to_fit();
    out_->piece_at_.shrink_to_fit();
    out_->code_.shrink_to_fit();
    out_->entries_.shrink_to_fit();
  }

 private:
  // The piece at `position` of a line is most often the one at the same
  // position of the line before (a family's lines share their name and
  // most label pairs): compared first, it saves the hash lookup.
  void PutPiece(size_t position, std::string_view piece) {
    if (position >= previous_.size()) previous_.resize(position + 1);
    Previous& previous = previous_[position];
    if (previous.piece != piece) previous = {piece, Piece(piece)};
    AppendVarint(out_->code_, (uint64_t{previous.id} << 1) | 1);
  }

  struct Previous {
    std::string_view piece;
    uint32_t id = 0;
  };

  FamilyBlocks* out_;
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;
  std::vector<Previous> previous_;
};

void FamilyBlocks::Builder::AddLine(std::string_view family, SampleType type, size_t start,
                                    size_t end) {
  AddLine(family, type, format_, start, end);
}

void FamilyBlocks::Builder::AddLine(std::string_view family, SampleType type, TextFormat format,
                                    size_t start, size_t end) {
  auto [it, inserted] =
      family_ids_.try_emplace(AsAbsl(family), static_cast<uint32_t>(families_.size()));
  if (inserted) families_.push_back({std::string(family), type, format});
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
  for (const Line& line : lines_) ++first[line.family + 1];
  std::partial_sum(first.begin(), first.end(), first.begin());
  std::vector<const Line*> by_family(lines_.size());
  for (const Line& line : lines_) by_family[first[line.family]++] = &line;
  // first[f] now ends family f's run; its start is the previous end.
  Encoder encoder(&blocks);
  blocks.entries_.reserve(families_.size());
  for (uint32_t f : order) {
    const Family& family = families_[f];
    const size_t code_at = blocks.code_.size();
    const uint32_t name = encoder.Piece(family.name);
    const size_t begin = f == 0 ? 0 : first[f - 1];
    for (size_t i = begin; i < first[f]; ++i) {
      const Line& line = *by_family[i];
      encoder.Line(body_.substr(line.start, line.end - line.start));
    }
    blocks.entries_.push_back(
        {name, family.type, family.format, code_at, blocks.code_.size() - code_at});
  }
  encoder.Finish();
  return blocks;
}

FamilyBlock FamilyBlocks::at(size_t i, std::string* text) const {
  const Entry& e = entries_[i];
  const std::string_view name = Piece(e.name);
  const std::string_view type =
      e.format == TextFormat::kOpenMetrics100 && e.type == SampleType::kUntyped ? "unknown"
                                                                                : TypeName(e.type);
  text->clear();
  text->append("# TYPE ").append(name).append(" ").append(type).append("\n");
  const char* at = code_.data() + e.code_at;
  const char* const end = at + e.code_size;
  uint64_t n = 0;
  while (at < end && ReadVarint(at, end, &n)) {
    if ((n & 1) != 0) {
      text->append(Piece(static_cast<uint32_t>(n >> 1)));
    } else {
      const size_t size = std::min<size_t>(n >> 1, end - at);
      text->append(at, size);
      at += size;
    }
  }
  return {name, e.format, *text};
}

size_t FamilyBlocks::held_bytes() const {
  return pieces_.capacity() + piece_at_.capacity() * sizeof(uint32_t) + code_.capacity() +
         entries_.capacity() * sizeof(Entry);
}

FamilyBlocks FamilyBlocks::Merge(const FamilyBlocks& older, const FamilyBlocks& newer) {
  // The families kept, read back into one text and built anew: each group
  // has pieces of its own. POST is the rare verb (Flink's reporter PUTs),
  // so this favours simplicity over speed.
  struct Kept {
    const FamilyBlocks* from;
    size_t i;
  };
  std::vector<Kept> kept;
  kept.reserve(older.size() + newer.size());
  // Both sorted by name: one pass, the newer block winning a tie.
  size_t i = 0;
  size_t j = 0;
  while (i < older.size() || j < newer.size()) {
    if (j == newer.size()) {
      kept.push_back({&older, i++});
    } else if (i == older.size() || newer.family(j) < older.family(i)) {
      kept.push_back({&newer, j++});
    } else if (older.family(i) < newer.family(j)) {
      kept.push_back({&older, i++});
    } else {
      ++i;
      kept.push_back({&newer, j++});
    }
  }
  std::string text;
  std::string block_text;
  struct Span {
    size_t start;
    size_t end;
  };
  std::vector<Span> spans;  // of each kept block's lines, after its TYPE line
  for (const Kept& k : kept) {
    k.from->at(k.i, &block_text);
    const size_t type_line = block_text.find('\n') + 1;
    spans.push_back({text.size() + type_line, text.size() + block_text.size()});
    text += block_text;
  }
  Builder builder(text, TextFormat::kPrometheus004);
  for (size_t b = 0; b < kept.size(); ++b) {
    const Entry& e = kept[b].from->entries_[kept[b].i];
    const std::string_view name = kept[b].from->family(kept[b].i);
    size_t start = spans[b].start;
    while (start < spans[b].end) {
      const size_t end = text.find('\n', start);
      builder.AddLine(name, e.type, e.format, start, end);
      start = end + 1;
    }
  }
  return std::move(builder).Build();
}

}  // namespace vitals::gateway
