#include "gateway/receivers/promtext/text004_parser.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/base/ascii.h"
#include "common/base/strings.h"
#include "gateway/receivers/parse_error.h"
#include "gateway/receivers/promtext/byte_classes.h"
#include "gateway/receivers/promtext/line_parser.h"
#include "gateway/receivers/promtext/numbers.h"
#include "gateway/receivers/promtext/reuse_tables.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway::promtext_internal {
namespace {

// 0.0.4 timestamps: a base-10 int64 with an optional sign, like Go's ParseInt.
bool ParseInt64(std::string_view s, int64_t& out) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return false;
  }
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

class Text004Parser : public LineParserBase {
 public:
  Text004Parser(LineScratch& line, Text004Scratch& state, const PromTextLimits& limits,
                SampleSink& sink)
      : LineParserBase(line, limits, sink), state_(state) {}

  absl::Status Run(std::string_view body) {
    state_.family_index.Clear();
    state_.families.clear();
    cached_name_ = {};
    const char* p = body.data();
    const char* const end = p + body.size();
    size_t line = 0;
    while (p < end) {
      ++line;
      const char* eol = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (eol == nullptr) {
        // The spec wants a line feed after the last line; like expfmt we let
        // trailing blanks pass.
        if (SkipBlanks(p, end) == end) break;
        return LineError(line, "last line does not end with a line feed");
      }
      if (static_cast<size_t>(eol - p) > limits_.max_line_bytes) {
        return LineError(line, absl::StrCat("line longer than ", limits_.max_line_bytes, " bytes"));
      }
      if (!Line(p, eol)) return LineError(line, s_.reason);
      p = eol + 1;
    }
    return absl::OkStatus();
  }

 private:
  enum class Role : uint8_t { kPlain, kCount, kSum, kBucket };
  struct Resolved {
    uint32_t family = 0;
    std::string_view family_name;
    Role role = Role::kPlain;
  };

  bool Line(const char* begin, const char* end) {
    const char* p = SkipBlanks(begin, end);
    if (p == end) return true;
    if (*p == '#') return Comment(p + 1, end);
    return Sample(p, end, static_cast<size_t>(end - begin));
  }

  bool Sample(const char* p, const char* end, size_t line_size) {
    const char* name_begin = p;
    if (!Is(*p, kMetricStart)) {
      return Fail(*p == '{' ? "missing metric name" : "invalid metric name");
    }
    p = SkipClass(p + 1, end, kMetricChar);
    const std::string_view name(name_begin, p - name_begin);

    s_.labels.clear();
    s_.unescaped.clear();
    if (p == end) return Fail("missing value");
    if (Is(*p, kBlank)) {
      p = SkipBlanks(p, end);
    } else if (*p != '{') {
      return Fail("invalid character in metric name");
    }
    if (p < end && *p == '{') {
      p = Labels(p + 1, end, line_size);
      if (p == nullptr) return false;
      p = SkipBlanks(p, end);
    }

    const char* value_begin = p;
    while (p < end && !Is(*p, kBlank)) ++p;
    const std::string_view value_text(value_begin, p - value_begin);
    if (value_text.empty()) return Fail("missing value");
    double value;
    if (!ParseNumber(value_text, /*special=*/true, value)) {
      return Fail(absl::StrCat("invalid value ", Quoted(value_text)));
    }

    bool has_timestamp = false;
    int64_t timestamp_ms = 0;
    if (p < end) {
      p = SkipBlanks(p, end);
      const char* ts_begin = p;
      while (p < end && !Is(*p, kBlank)) ++p;
      const std::string_view ts_text(ts_begin, p - ts_begin);
      if (ts_text.empty()) return Fail("trailing whitespace after value");
      if (!ParseInt64(ts_text, timestamp_ms)) {
        return Fail(absl::StrCat("invalid timestamp ", Quoted(ts_text),
                                 " (0.0.4 wants integer milliseconds)"));
      }
      if (p != end) return Fail("unexpected text after timestamp");
      has_timestamp = true;
    }

    const Resolved* r = ResolveCached(name);
    if (r == nullptr) return false;
    Text004Scratch::Family& family = state_.families[r->family];
    if (!family.typed) family.typed = true;  // a later TYPE line is an error now
    if (!CheckTypeRules(family.type, *r, value)) return false;

    SampleView sample;
    sample.name = name;
    sample.family = r->family_name;
    sample.type = family.type;
    sample.labels = s_.labels;
    sample.value = value;
    sample.has_timestamp = has_timestamp;
    sample.timestamp_ms = timestamp_ms;
    return Deliver(sample);
  }

  // 0.0.4 is loose inside braces: blanks around every token and a trailing
  // comma (Flink's Java client writes one) are fine.
  const char* Labels(const char* p, const char* end, size_t line_size) {
    uint64_t seen = kNoLabelsSeen;
    for (;;) {
      p = SkipBlanks(p, end);
      if (p == end) return FailNull("label set is missing its closing brace");
      if (*p == '}') return p + 1;
      const char* name_begin = p;
      if (!Is(*p, kLabelStart)) return FailNull("invalid label name");
      p = SkipClass(p + 1, end, kLabelChar);
      const std::string_view name(name_begin, p - name_begin);
      p = SkipBlanks(p, end);
      if (p == end || *p != '=') {
        return FailNull(absl::StrCat("expected '=' after label name \"", AsAbsl(name), "\""));
      }
      p = SkipBlanks(p + 1, end);
      if (p == end || *p != '"') {
        return FailNull(
            absl::StrCat("expected '\"' to open the value of label \"", AsAbsl(name), "\""));
      }
      std::string_view value;
      p = LabelValue<false>(p + 1, end, line_size, s_.unescaped, value);
      if (p == nullptr) return nullptr;
      if (!AddLabel(s_.labels, seen, name, value)) return nullptr;
      p = SkipBlanks(p, end);
      if (p == end) return FailNull("label set is missing its closing brace");
      if (*p == ',') {
        ++p;
      } else if (*p == '}') {
        return p + 1;
      } else {
        return FailNull(
            absl::StrCat("expected ',' or '}' after the value of label \"", AsAbsl(name), "\""));
      }
    }
  }

  // `# HELP name text`, `# TYPE name type`; any other comment is ignored. As
  // in expfmt, a HELP or TYPE without text says nothing.
  bool Comment(const char* p, const char* end) {
    p = SkipBlanks(p, end);
    const char* keyword_begin = p;
    while (p < end && !Is(*p, kBlank)) ++p;
    const std::string_view keyword(keyword_begin, p - keyword_begin);
    if (p == end) return true;
    const bool help = keyword == "HELP";
    if (!help && keyword != "TYPE") return true;
    p = SkipBlanks(p, end);
    if (p == end) return true;
    const char* name_begin = p;
    if (Is(*p, kMetricStart)) p = SkipClass(p + 1, end, kMetricChar);
    if (p == end) return true;
    if (!Is(*p, kBlank)) return Fail("invalid metric name in comment");
    const std::string_view name(name_begin, p - name_begin);
    p = SkipBlanks(p, end);
    if (p == end) return true;
    cached_name_ = {};  // metadata may change how sample names resolve
    const Resolved r = Resolve(name);
    Text004Scratch::Family& family = state_.families[r.family];
    const std::string_view text(p, end - p);
    if (help) {
      if (family.has_help) {
        return Fail(absl::StrCat("second HELP line for \"", AsAbsl(r.family_name), "\""));
      }
      if (!CheckHelpEscapes(text)) return false;
      family.has_help = true;
      return true;
    }
    if (family.typed) {
      return Fail(absl::StrCat("second TYPE line for \"", AsAbsl(r.family_name),
                               "\", or TYPE after its samples"));
    }
    if (AsciiEqualsIgnoreCase(text, "counter")) {
      family.type = SampleType::kCounter;
    } else if (AsciiEqualsIgnoreCase(text, "gauge")) {
      family.type = SampleType::kGauge;
    } else if (AsciiEqualsIgnoreCase(text, "untyped")) {
      family.type = SampleType::kUntyped;
    } else if (AsciiEqualsIgnoreCase(text, "summary")) {
      family.type = SampleType::kSummary;
    } else if (AsciiEqualsIgnoreCase(text, "histogram")) {
      family.type = SampleType::kHistogram;
    } else if (AsciiEqualsIgnoreCase(text, "gaugehistogram") ||
               AsciiEqualsIgnoreCase(text, "gauge_histogram")) {
      // Not in the 0.0.4 spec, but current expfmt reads both spellings.
      family.type = SampleType::kGaugeHistogram;
    } else {
      return Fail(absl::StrCat("unknown metric type ", Quoted(text)));
    }
    family.typed = true;
    return true;
  }

  bool CheckHelpEscapes(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\\') continue;
      if (i + 1 == text.size() || (text[i + 1] != '\\' && text[i + 1] != 'n')) {
        return Fail("invalid escape sequence in HELP (0.0.4 allows only \\\\ and \\n)");
      }
      ++i;
    }
    return true;
  }

  // Consecutive samples of one family share a name: skip the table then.
  const Resolved* ResolveCached(std::string_view name) {
    if (name.size() != cached_name_.size() ||
        std::memcmp(name.data(), cached_name_.data(), name.size()) != 0) {
      if (!ResolveSampleName(name, cached_)) {
        cached_name_ = {};
        return nullptr;
      }
      cached_name_ = name;
    }
    return &cached_;
  }

  bool ResolveSampleName(std::string_view name, Resolved& out) {
    out = Resolve(name);
    if (out.role != Role::kPlain || out.family_name.size() != name.size()) return true;
    // 0.0.4 gauge histograms use _sum/_count (as expfmt does); _gsum/_gcount
    // next to one are OpenMetrics text sent with the wrong Content-Type.
    for (std::string_view suffix : {std::string_view("_gsum"), std::string_view("_gcount")}) {
      if (!HasProperSuffix(name, suffix)) continue;
      const uint32_t base = state_.family_index.Find(name.substr(0, name.size() - suffix.size()));
      if (base != ViewTable::kMissing &&
          state_.families[base].type == SampleType::kGaugeHistogram) {
        return Fail(absl::StrCat("\"", AsAbsl(name),
                                 "\": text 0.0.4 gauge histograms use _sum and _count"));
      }
    }
    return true;
  }

  // Which family a name belongs to, as expfmt decides: the family of that
  // exact name; else the summary or histogram it is the _count/_sum/_bucket
  // of; else a new untyped family.
  Resolved Resolve(std::string_view name) {
    if (const uint32_t index = state_.family_index.Find(name); index != ViewTable::kMissing) {
      return {index, name, Role::kPlain};
    }
    struct Suffix {
      std::string_view text;
      Role role;
      bool summary;  // also a summary's
    };
    static constexpr Suffix kSuffixes[] = {
        {"_count", Role::kCount, true},
        {"_sum", Role::kSum, true},
        {"_bucket", Role::kBucket, false},
    };
    for (const Suffix& suffix : kSuffixes) {
      if (!HasProperSuffix(name, suffix.text)) continue;
      const std::string_view base = name.substr(0, name.size() - suffix.text.size());
      const uint32_t index = state_.family_index.Find(base);
      if (index == ViewTable::kMissing) continue;
      const SampleType type = state_.families[index].type;
      if ((suffix.summary && type == SampleType::kSummary) || type == SampleType::kHistogram ||
          type == SampleType::kGaugeHistogram) {
        return {index, base, suffix.role};
      }
    }
    const auto index = static_cast<uint32_t>(state_.families.size());
    state_.families.emplace_back();
    state_.family_index.Insert(name, index);
    return {index, name, Role::kPlain};
  }

  // What expfmt checks per type: quantile and le must be numbers; newer
  // expfmt also refuses negative bucket counts. We refuse NaN counts and
  // le-less buckets as well: neither means anything.
  bool CheckTypeRules(SampleType type, const Resolved& r, double value) {
    switch (type) {
      case SampleType::kSummary:
        if (const LabelView* q = FindLabel(s_.labels, "quantile")) {
          double quantile;
          if (!ParseNumber(q->value, true, quantile)) {
            return Fail(absl::StrCat("quantile ", Quoted(q->value), " is not a number"));
          }
        }
        return true;
      case SampleType::kHistogram:
      case SampleType::kGaugeHistogram: {
        if (r.role == Role::kPlain) {
          return Fail(absl::StrCat("histogram \"", AsAbsl(r.family_name),
                                   "\" has only _bucket, _sum and _count samples"));
        }
        const LabelView* le = FindLabel(s_.labels, "le");
        if (le != nullptr) {
          double bound;
          if (!ParseNumber(le->value, true, bound)) {
            return Fail(absl::StrCat("le ", Quoted(le->value), " is not a number"));
          }
        }
        if (r.role == Role::kBucket || r.role == Role::kCount) {
          if (r.role == Role::kBucket && le == nullptr) return Fail("histogram bucket without le");
          if (std::isnan(value) || value < 0) {
            return Fail("histogram bucket and count values must not be negative or NaN");
          }
        }
        return true;
      }
      default:
        return true;
    }
  }

  Text004Scratch& state_;
  std::string_view cached_name_;
  Resolved cached_;
};

}  // namespace

absl::Status ParseText004(std::string_view body, const PromTextLimits& limits, LineScratch& line,
                          Text004Scratch& scratch, SampleSink& sink) {
  return Text004Parser(line, scratch, limits, sink).Run(body);
}

}  // namespace vitals::gateway::promtext_internal
