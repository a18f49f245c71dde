#pragma once

// What the 0.0.4 and OpenMetrics grammars share: label values, label sets,
// limits, error reasons and delivery. The grammars call these per label and
// per sample, so they are defined here to be inlined into each grammar's
// translation unit. Internal to the promtext parser.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/base/utf8.h"
#include "gateway/receivers/promtext/byte_classes.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway::promtext_internal {

// The part of a parser's scratch both grammars use; it survives between
// bodies so its capacity is reused.
struct LineScratch {
  std::vector<LabelView> labels;
  std::string unescaped;  // label values of the current line that had escapes
  std::string reason;     // the current error, built only on failure
};

// Body text quoted into an error message, which goes back to the client:
// escaped, so control bytes and broken UTF-8 stay out of logs and responses,
// and cut short.
std::string Quoted(std::string_view text);

inline const LabelView* FindLabel(std::span<const LabelView> labels, std::string_view name) {
  for (const LabelView& l : labels) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

// Proper suffixes only: what they end is a name of its own (a family, or a
// family with a unit after `_`), never empty.
inline bool HasProperSuffix(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr uint64_t NameBit(std::string_view name) {
  return uint64_t{1} << ((name.size() * 7 + static_cast<uint8_t>(name.back()) * 3 +
                          static_cast<uint8_t>(name.front())) &
                         63);
}

// Seeded with the reserved name, so that it always takes the slow path.
inline constexpr uint64_t kNoLabelsSeen = NameBit("__name__");

// One body's parse; each grammar derives its parser from this.
class LineParserBase {
 public:
  LineParserBase(LineScratch& scratch, const PromTextLimits& limits, SampleSink& sink)
      : s_(scratch), limits_(limits), sink_(sink) {}

 protected:
  bool Fail(std::string_view reason) {
    s_.reason.assign(reason.data(), reason.size());
    return false;
  }

  // Scans a quoted label value; `p` is just past the opening quote. Returns
  // the position past the closing quote, or nullptr. Values with escapes are
  // unescaped into `buf`, which is reserved to the line's length before the
  // first copy: a line's unescaped values never outgrow the line, so `buf`
  // does not move and earlier views of the same line stay valid.
  template <bool kOpenMetrics>
  const char* LabelValue(const char* p, const char* end, size_t line_size, std::string& buf,
                         std::string_view& value) {
    const char* start = p;
    bool high = false;
    for (;;) {
      p = FindValueStop(p, end);
      if (p == end) return FailNull("label value is missing its closing quote");
      if (*p == '"') {
        value = std::string_view(start, p - start);
        if (high && !IsValidUtf8(value)) return FailNull("label value is not valid UTF-8");
        return p + 1;
      }
      if (*p == '\\') return EscapedLabelValue<kOpenMetrics>(start, p, end, line_size, buf, value);
      high = true;
      ++p;
    }
  }

  // Adds a parsed label to `out`, refusing reserved and repeated names.
  // `seen` is a one-word Bloom filter of the names in `out` (start at
  // kNoLabelsSeen): most labels skip the pairwise duplicate scan.
  bool AddLabel(std::vector<LabelView>& out, uint64_t& seen, std::string_view name,
                std::string_view value) {
    if (out.size() >= limits_.max_labels) {
      return Fail(absl::StrCat("more than ", limits_.max_labels, " labels"));
    }
    const uint64_t bit = NameBit(name);
    if ((seen & bit) != 0) {
      if (name == "__name__") return Fail("label name \"__name__\" is reserved");
      for (const LabelView& l : out) {
        if (l.name == name) return Fail(absl::StrCat("duplicate label \"", AsAbsl(name), "\""));
      }
    }
    seen |= bit;
    out.push_back({name, value});
    return true;
  }

  bool Deliver(const SampleView& sample) {
    if (samples_ >= limits_.max_samples) {
      return Fail(absl::StrCat("more than ", limits_.max_samples, " samples"));
    }
    ++samples_;
    sink_.OnSample(sample);
    return true;
  }

  const char* FailNull(std::string_view reason) {
    Fail(reason);
    return nullptr;
  }

  LineScratch& s_;
  const PromTextLimits& limits_;
  SampleSink& sink_;
  size_t samples_ = 0;

 private:
  template <bool kOpenMetrics>
  const char* EscapedLabelValue(const char* start, const char* p, const char* end, size_t line_size,
                                std::string& buf, std::string_view& value) {
    if (buf.empty()) buf.reserve(line_size);
    const size_t offset = buf.size();
    buf.append(start, p - start);
    bool high = false;
    for (const char* q = start; q < p; ++q) high |= static_cast<uint8_t>(*q) >= 0x80;
    while (p < end) {
      const char c = *p++;
      if (c == '"') {
        value = std::string_view(buf.data() + offset, buf.size() - offset);
        if (high && !IsValidUtf8(value)) return FailNull("label value is not valid UTF-8");
        return p;
      }
      if (c != '\\') {
        high |= static_cast<uint8_t>(c) >= 0x80;
        buf.push_back(c);
        continue;
      }
      if (p == end) break;
      const char e = *p++;
      switch (e) {
        case '\\':
        case '"':
          buf.push_back(e);
          break;
        case 'n':
          buf.push_back('\n');
          break;
        default:
          // OpenMetrics' reference parser keeps an unknown escape as written;
          // 0.0.4 allows only the three above.
          if (!kOpenMetrics) {
            return FailNull(absl::StrCat("invalid escape sequence \\",
                                         absl::CHexEscape(AsAbsl({&e, 1})), " in label value"));
          }
          high |= static_cast<uint8_t>(e) >= 0x80;
          buf.push_back('\\');
          buf.push_back(e);
      }
    }
    return FailNull("label value is missing its closing quote");
  }
};

}  // namespace vitals::gateway::promtext_internal
