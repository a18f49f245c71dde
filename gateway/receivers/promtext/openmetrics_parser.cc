#include "gateway/receivers/promtext/openmetrics_parser.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/base/hash_mix.h"
#include "common/base/strings.h"
#include "common/base/utf8.h"
#include "gateway/receivers/parse_error.h"
#include "gateway/receivers/promtext/byte_classes.h"
#include "gateway/receivers/promtext/line_parser.h"
#include "gateway/receivers/promtext/numbers.h"
#include "gateway/receivers/promtext/reuse_tables.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway::promtext_internal {
namespace {

int64_t SecondsToMillis(double seconds) {
  // OpenMetrics allows any real number; beyond int64 milliseconds (±292
  // million years) nothing meaningful is lost by saturating.
  const double ms = seconds * 1000.0;
  if (ms >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (ms <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return std::llround(ms);
}

// The spec bounds exemplar labels in code points, not bytes; by the time
// this runs the text is known to be valid UTF-8.
size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

// Order-insensitive hash of a label set minus one label: OpenMetrics groups a
// family's samples into metrics by label set, `{a="1",b="2"}` == `{b="2",a="1"}`.
uint64_t GroupHash(std::span<const LabelView> labels, std::string_view skip) {
  uint64_t sum = 0;
  uint64_t count = 0;
  for (const LabelView& l : labels) {
    if (l.name == skip) continue;
    const uint64_t name = std::hash<std::string_view>{}(l.name);
    const uint64_t value = std::hash<std::string_view>{}(l.value);
    sum += MixBits(name * 0x9E3779B97F4A7C15ULL ^ MixBits(value + 0x632BE59BD9B4E019ULL));
    ++count;
  }
  return MixBits(sum ^ MixBits(count));
}

enum class OmType : uint8_t {
  kUnknown,
  kGauge,
  kCounter,
  kStateSet,
  kInfo,
  kHistogram,
  kGaugeHistogram,
  kSummary,
};

struct OmTypeInfo {
  std::string_view name;
  SampleType sample_type;
  // Sample-name suffixes of the type; "" is the bare family name.
  std::array<std::string_view, 4> suffixes;
  size_t suffix_count;
};

const OmTypeInfo& InfoOf(OmType type) {
  static const OmTypeInfo kTypes[] = {
      {"unknown", SampleType::kUntyped, {""}, 1},
      {"gauge", SampleType::kGauge, {""}, 1},
      {"counter", SampleType::kCounter, {"_total", "_created"}, 2},
      {"stateset", SampleType::kStateSet, {""}, 1},
      {"info", SampleType::kInfo, {"_info"}, 1},
      {"histogram", SampleType::kHistogram, {"_count", "_sum", "_bucket", "_created"}, 4},
      {"gaugehistogram", SampleType::kGaugeHistogram, {"_gcount", "_gsum", "_bucket"}, 3},
      {"summary", SampleType::kSummary, {"", "_count", "_sum", "_created"}, 4},
  };
  return kTypes[static_cast<size_t>(type)];
}

bool IsHistogram(OmType type) {
  return type == OmType::kHistogram || type == OmType::kGaugeHistogram;
}

class OpenMetricsParser : public LineParserBase {
 public:
  OpenMetricsParser(LineScratch& line, OpenMetricsScratch& state, const PromTextLimits& limits,
                    SampleSink& sink)
      : LineParserBase(line, limits, sink), state_(state) {}

  absl::Status Run(std::string_view body) {
    state_.closed_names.Clear();
    state_.seen_groups.Clear();
    family_ = {};
    const char* p = body.data();
    const char* const end = p + body.size();
    size_t line = 0;
    bool eof = false;
    while (p < end) {
      ++line;
      if (eof) return LineError(line, "text after # EOF");
      const char* eol = static_cast<const char*>(std::memchr(p, '\n', end - p));
      const char* line_end = eol != nullptr ? eol : end;
      const size_t size = static_cast<size_t>(line_end - p);
      if (size > limits_.max_line_bytes) {
        return LineError(line, absl::StrCat("line longer than ", limits_.max_line_bytes, " bytes"));
      }
      const std::string_view text(p, size);
      bool ok;
      if (text == "# EOF") {
        ok = CloseFamily();
        eof = true;
      } else if (eol == nullptr) {
        ok = Fail("missing # EOF at the end");
      } else if (text.empty()) {
        ok = Fail("blank line");
      } else if (text[0] == '#') {
        ok = Metadata(text);
      } else {
        ok = Sample(p, line_end);
      }
      if (!ok) return LineError(line, s_.reason);
      p = eol != nullptr ? eol + 1 : end;
    }
    if (!eof) return LineError(line == 0 ? 1 : line, "missing # EOF at the end");
    return absl::OkStatus();
  }

 private:
  struct Family {
    bool open = false;
    std::string_view name;
    OmType type = OmType::kUnknown;
    bool has_type = false;
    bool has_help = false;
    bool has_unit = false;
    std::string_view unit;
    bool has_samples = false;
  };
  // The current metric (label group) and its last timestamp.
  struct Group {
    bool active = false;
    uint64_t hash = 0;
    bool has_timestamp = false;
    double timestamp = 0;
  };
  // One histogram point: a group's run of samples with one timestamp.
  struct HistogramPoint {
    bool active = false;
    uint64_t group = 0;
    bool has_timestamp = false;
    double timestamp = 0;
    bool has_bucket = false;
    double last_bound = 0;
    double last_count = 0;
    bool has_count = false;
    double count = 0;
    bool has_sum = false;
    bool has_gsum = false;
    bool negative_bucket = false;
    bool negative_gsum = false;
  };

  // `# HELP name text`, `# TYPE name type`, `# UNIT name unit`: one space
  // each, nothing else starts with '#'.
  bool Metadata(std::string_view text) {
    if (text.size() < 7 || text[1] != ' ' || text[6] != ' ') return Fail(kBadComment);
    const std::string_view keyword = text.substr(2, 4);
    if (keyword != "HELP" && keyword != "TYPE" && keyword != "UNIT") return Fail(kBadComment);
    const char* p = text.data() + 7;
    const char* const end = text.data() + text.size();
    const char* name_begin = p;
    if (p == end || !Is(*p, kMetricStart)) return Fail("missing or invalid metric name");
    p = SkipClass(p + 1, end, kMetricChar);
    if (p == end || *p != ' ') return Fail("expected a single space after the metric name");
    const std::string_view name(name_begin, p - name_begin);
    const std::string_view value(p + 1, end - p - 1);

    if (!family_.open || family_.name != name) {
      if (!CloseFamily()) return false;
      OpenFamily(name);
    } else if (family_.has_samples) {
      return Fail(absl::StrCat("metadata for \"", AsAbsl(name), "\" after its samples"));
    }

    if (keyword == "HELP") {
      if (family_.has_help) return Fail(absl::StrCat("second HELP for \"", AsAbsl(name), "\""));
      if (!IsValidUtf8(value)) return Fail("HELP is not valid UTF-8");
      family_.has_help = true;
    } else if (keyword == "TYPE") {
      if (family_.has_type) return Fail(absl::StrCat("second TYPE for \"", AsAbsl(name), "\""));
      bool known = false;
      for (int t = 0; t <= static_cast<int>(OmType::kSummary); ++t) {
        if (value == InfoOf(static_cast<OmType>(t)).name) {
          family_.type = static_cast<OmType>(t);
          known = true;
        }
      }
      if (!known) return Fail(absl::StrCat("unknown metric type ", Quoted(value)));
      family_.has_type = true;
    } else {
      if (family_.has_unit) return Fail(absl::StrCat("second UNIT for \"", AsAbsl(name), "\""));
      if (SkipClass(value.data(), end, kMetricChar) != end) return Fail("invalid unit");
      family_.has_unit = true;
      family_.unit = value;
    }
    return true;
  }

  bool Sample(const char* p, const char* end) {
    const size_t line_size = static_cast<size_t>(end - p);
    const char* name_begin = p;
    if (!Is(*p, kMetricStart)) return Fail("invalid metric name");
    p = SkipClass(p + 1, end, kMetricChar);
    const std::string_view name(name_begin, p - name_begin);

    s_.labels.clear();
    s_.unescaped.clear();
    if (p < end && *p == '{') {
      p = Labels(p + 1, end, line_size, s_.labels, s_.unescaped);
      if (p == nullptr) return false;
    }
    if (p == end || *p != ' ') return Fail("expected a single space before the value");
    ++p;
    const char* value_begin = p;
    while (p < end && *p != ' ') ++p;
    const std::string_view value_text(value_begin, p - value_begin);
    double value;
    if (!ParseNumber(value_text, /*special=*/true, value)) {
      return Fail(absl::StrCat("invalid value ", Quoted(value_text)));
    }

    bool has_timestamp = false;
    double timestamp = 0;
    bool has_exemplar = false;
    if (p < end) {
      ++p;
      if (p < end && *p == '#') {
        has_exemplar = true;
      } else {
        const char* ts_begin = p;
        while (p < end && *p != ' ') ++p;
        const std::string_view ts_text(ts_begin, p - ts_begin);
        if (!ParseNumber(ts_text, /*special=*/false, timestamp)) {
          return Fail(absl::StrCat("invalid timestamp ", Quoted(ts_text)));
        }
        has_timestamp = true;
        if (p < end) {
          ++p;
          if (p == end || *p != '#') return Fail("unexpected text after timestamp");
          has_exemplar = true;
        }
      }
    }
    if (has_exemplar && !Exemplar(p, end, line_size)) return false;

    // A sample that cannot belong to the current family starts a new,
    // untyped one.
    std::string_view suffix;
    if (!family_.open || !BelongsToFamily(name, suffix)) {
      if (!CloseFamily()) return false;
      OpenFamily(name);
      suffix = {};
    }
    family_.has_samples = true;
    if (!CheckSample(name, suffix, value, has_timestamp, timestamp, has_exemplar)) return false;

    SampleView sample;
    sample.name = name;
    sample.family = family_.name;
    sample.type = InfoOf(family_.type).sample_type;
    sample.labels = s_.labels;
    sample.value = value;
    sample.has_timestamp = has_timestamp;
    sample.timestamp_ms = has_timestamp ? SecondsToMillis(timestamp) : 0;
    return Deliver(sample);
  }

  // OpenMetrics label sets are strict: no blanks, no trailing comma.
  const char* Labels(const char* p, const char* end, size_t line_size, std::vector<LabelView>& out,
                     std::string& buf) {
    if (p < end && *p == '}') return p + 1;
    uint64_t seen = kNoLabelsSeen;
    for (;;) {
      const char* name_begin = p;
      if (p == end || !Is(*p, kLabelStart)) return FailNull("invalid label name");
      p = SkipClass(p + 1, end, kLabelChar);
      const std::string_view name(name_begin, p - name_begin);
      if (p == end || *p != '=') {
        return FailNull(absl::StrCat("expected '=' after label name \"", AsAbsl(name), "\""));
      }
      ++p;
      if (p == end || *p != '"') {
        return FailNull(
            absl::StrCat("expected '\"' to open the value of label \"", AsAbsl(name), "\""));
      }
      std::string_view value;
      p = LabelValue<true>(p + 1, end, line_size, buf, value);
      if (p == nullptr) return nullptr;
      if (!AddLabel(out, seen, name, value)) return nullptr;
      if (p < end && *p == ',') {
        ++p;
      } else if (p < end && *p == '}') {
        return p + 1;
      } else {
        return FailNull(
            absl::StrCat("expected ',' or '}' after the value of label \"", AsAbsl(name), "\""));
      }
    }
  }

  // ` # {labels} value [timestamp]` after a sample; `p` is at the '#'.
  // Exemplars are checked and dropped: nothing downstream uses them.
  bool Exemplar(const char* p, const char* end, size_t line_size) {
    if (end - p < 3 || p[1] != ' ' || p[2] != '{') return Fail("malformed exemplar");
    state_.exemplar_labels.clear();
    state_.exemplar_unescaped.clear();
    p = Labels(p + 3, end, line_size, state_.exemplar_labels, state_.exemplar_unescaped);
    if (p == nullptr) return false;
    size_t code_points = 0;
    for (const LabelView& l : state_.exemplar_labels) {
      code_points += CountCodePoints(l.name) + CountCodePoints(l.value);
    }
    if (code_points > 128) return Fail("exemplar labels longer than 128 code points");
    if (p == end || *p != ' ') return Fail("expected a single space before the exemplar value");
    ++p;
    const char* value_begin = p;
    while (p < end && *p != ' ') ++p;
    double value;
    if (!ParseNumber({value_begin, static_cast<size_t>(p - value_begin)}, true, value)) {
      return Fail("invalid exemplar value");
    }
    if (p == end) return true;
    ++p;
    double timestamp;
    if (!ParseNumber({p, static_cast<size_t>(end - p)}, false, timestamp)) {
      return Fail("invalid exemplar timestamp");
    }
    return true;
  }

  bool BelongsToFamily(std::string_view name, std::string_view& suffix) const {
    if (name.size() < family_.name.size() || name.substr(0, family_.name.size()) != family_.name) {
      return false;
    }
    const std::string_view rest = name.substr(family_.name.size());
    const OmTypeInfo& info = InfoOf(family_.type);
    for (size_t i = 0; i < info.suffix_count; ++i) {
      if (rest == info.suffixes[i]) {
        suffix = rest;
        return true;
      }
    }
    return false;
  }

  void OpenFamily(std::string_view name) {
    family_ = {};
    family_.open = true;
    family_.name = name;
    group_ = {};
    point_ = {};
    state_.seen_groups.Clear();
  }

  // What can only be judged once a family is complete: its last histogram
  // point, its unit, and whether its sample names collide with another
  // family's (a gauge `a_total` next to a counter `a`).
  bool CloseFamily() {
    if (!family_.open) return true;
    family_.open = false;
    if (IsHistogram(family_.type) && !FinishHistogramPoint()) return false;
    if (!family_.unit.empty()) {
      if (!HasProperSuffix(family_.name, family_.unit) ||
          family_.name[family_.name.size() - family_.unit.size() - 1] != '_') {
        return Fail(absl::StrCat("unit \"", AsAbsl(family_.unit), "\" is not a suffix of \"",
                                 AsAbsl(family_.name), "\""));
      }
      if (family_.type == OmType::kInfo || family_.type == OmType::kStateSet) {
        return Fail("info and stateset families have no unit");
      }
    }
    const OmTypeInfo& info = InfoOf(family_.type);
    bool bare = false;
    for (size_t i = 0; i < info.suffix_count; ++i) {
      bare |= info.suffixes[i].empty();
      if (!ClaimName(info.suffixes[i])) return false;
    }
    if (!bare && !ClaimName("")) return false;
    return true;
  }

  bool ClaimName(std::string_view suffix) {
    state_.candidate_name.assign(family_.name.data(), family_.name.size());
    state_.candidate_name.append(suffix.data(), suffix.size());
    if (state_.closed_names.Insert(state_.candidate_name)) return true;
    return Fail(absl::StrCat("family \"", AsAbsl(family_.name), "\" repeats or clashes over \"",
                             state_.candidate_name, "\""));
  }

  // The per-sample rules of the spec, as its reference parser applies them.
  bool CheckSample(std::string_view name, std::string_view suffix, double value, bool has_timestamp,
                   double timestamp, bool has_exemplar) {
    const OmType type = family_.type;
    std::string_view group_skip;
    double bound = 0;
    if (type == OmType::kStateSet) {
      if (FindLabel(s_.labels, family_.name) == nullptr) {
        return Fail(absl::StrCat("stateset sample needs a label \"", AsAbsl(family_.name), "\""));
      }
      if (value != 0 && value != 1) return Fail("stateset values are 0 or 1");
      group_skip = family_.name;
    } else if (type == OmType::kInfo) {
      if (value != 1) return Fail("info values are 1");
    } else if (IsHistogram(type) && suffix == "_bucket") {
      const LabelView* le = FindLabel(s_.labels, "le");
      if (le == nullptr) return Fail("histogram bucket without le");
      if (!ParseCanonicalBound(le->value, bound) || std::isnan(bound)) {
        return Fail(absl::StrCat("invalid le ", Quoted(le->value)));
      }
      group_skip = "le";
    } else if (type == OmType::kSummary && suffix.empty()) {
      const LabelView* q = FindLabel(s_.labels, "quantile");
      double quantile;
      if (q == nullptr || !ParseCanonicalBound(q->value, quantile) || !(quantile >= 0) ||
          quantile > 1) {
        return Fail("summary quantile sample needs a quantile label between 0 and 1");
      }
      if (value < 0) return Fail("quantile values must not be negative");
      group_skip = "quantile";
    }

    const bool counter_like = suffix == "_total" || suffix == "_sum" || suffix == "_count" ||
                              suffix == "_bucket" || suffix == "_gcount" || suffix == "_gsum";
    if (counter_like) {
      if (std::isnan(value)) return Fail(absl::StrCat(AsAbsl(suffix), " must not be NaN"));
      if (value < 0 && suffix != "_gsum") {
        return Fail(absl::StrCat(AsAbsl(suffix), " must not be negative"));
      }
      if ((suffix == "_bucket" || suffix == "_count" || suffix == "_gcount") &&
          (std::isinf(value) || value != std::floor(value))) {
        return Fail(absl::StrCat(AsAbsl(suffix), " must be an integer"));
      }
    }
    if (has_exemplar && !((IsHistogram(type) && suffix == "_bucket") ||
                          (type == OmType::kCounter && suffix == "_total"))) {
      return Fail("only counter _total and histogram _bucket samples carry exemplars");
    }

    // Metrics must not interleave; a metric's points go forward in time.
    const uint64_t group = type == OmType::kInfo ? 0 : GroupHash(s_.labels, group_skip);
    if (group_.active && group == group_.hash) {
      if (has_timestamp != group_.has_timestamp) {
        return Fail("samples of one metric mix with and without timestamps");
      }
      if (has_timestamp && timestamp < group_.timestamp && type != OmType::kInfo) {
        return Fail("timestamps of one metric go backwards");
      }
    } else if (group_.active && state_.seen_groups.Contains(group)) {
      return Fail(
          absl::StrCat("samples of \"", AsAbsl(name), "\" interleave with another label set"));
    }
    group_ = {true, group, has_timestamp, timestamp};
    state_.seen_groups.Insert(group);

    if (IsHistogram(type))
      return TrackHistogram(suffix, group, has_timestamp, timestamp, bound, value);
    return true;
  }

  // le and quantile follow the number grammar; infinities must read exactly
  // +Inf or -Inf there (the spec's canonical form).
  static bool ParseCanonicalBound(std::string_view text, double& out) {
    if (!ParseNumber(text, true, out)) return false;
    return !std::isinf(out) || text == "+Inf" || text == "-Inf";
  }

  bool TrackHistogram(std::string_view suffix, uint64_t group, bool has_timestamp, double timestamp,
                      double bound, double value) {
    if (!point_.active || point_.group != group || point_.has_timestamp != has_timestamp ||
        point_.timestamp != timestamp) {
      if (!FinishHistogramPoint()) return false;
      point_ = {};
      point_.active = true;
      point_.group = group;
      point_.has_timestamp = has_timestamp;
      point_.timestamp = timestamp;
    }
    if (suffix == "_bucket") {
      if (bound < 0) point_.negative_bucket = true;
      if (point_.has_bucket && bound <= point_.last_bound) return Fail("buckets out of order");
      if (value < point_.last_count) return Fail("bucket counts decrease");
      point_.has_bucket = true;
      point_.last_bound = bound;
      point_.last_count = value;
    } else if (suffix == "_count" || suffix == "_gcount") {
      point_.has_count = true;
      point_.count = value;
    } else if (suffix == "_sum") {
      point_.has_sum = true;
    } else if (suffix == "_gsum") {
      point_.has_gsum = true;
      if (value < 0) point_.negative_gsum = true;
    }
    return true;
  }

  bool FinishHistogramPoint() {
    if (!point_.active) return true;
    point_.active = false;
    const HistogramPoint& h = point_;
    if (!h.has_bucket || !std::isinf(h.last_bound) || h.last_bound < 0) {
      return Fail(absl::StrCat("histogram \"", AsAbsl(family_.name), "\" lacks its +Inf bucket"));
    }
    if (h.has_count && h.count != h.last_count) {
      return Fail(
          absl::StrCat("count of \"", AsAbsl(family_.name), "\" differs from its +Inf bucket"));
    }
    if ((h.has_sum || h.has_gsum) != h.has_count) {
      return Fail(absl::StrCat("histogram \"", AsAbsl(family_.name),
                               "\" needs both or neither of its sum and count"));
    }
    if (h.negative_bucket && h.has_sum) return Fail("histogram with negative buckets has no _sum");
    if (!h.negative_bucket && h.negative_gsum) {
      return Fail("negative _gsum needs a negative bucket");
    }
    return true;
  }

  static constexpr std::string_view kBadComment =
      "only # HELP, # TYPE, # UNIT and # EOF lines may start with '#'";

  OpenMetricsScratch& state_;
  Family family_;
  Group group_;
  HistogramPoint point_;
};

}  // namespace

absl::Status ParseOpenMetrics(std::string_view body, const PromTextLimits& limits,
                              LineScratch& line, OpenMetricsScratch& scratch, SampleSink& sink) {
  return OpenMetricsParser(line, scratch, limits, sink).Run(body);
}

}  // namespace vitals::gateway::promtext_internal
