#include "gateway/receivers/statsd/parser.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "absl/strings/charconv.h"
#include "common/base/ascii.h"
#include "common/base/utf8.h"

namespace vitals::gateway {
namespace {

namespace reject = statsd_reject;

// Decimal floats with an optional sign and exponent, plus NaN/Inf/Infinity
// in any case (Java's Double.toString gives "NaN", "-Infinity", "1.0E-5").
// Hex floats, digit separators and surrounding spaces are refused.
bool ParseNumber(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  const char first = s[0];
  if ((first >= '0' && first <= '9') || first == '.') {
    // Fast path for what Flink mostly sends, `42` and `1523.4`: at most 15
    // digits and no exponent make an exact integer divided by an exact
    // power of ten, which IEEE division rounds correctly (Clinger), as
    // from_chars would.
    static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    uint64_t mantissa = 0;
    int digits = 0;
    int decimals = -1;  // digits after the '.'; -1 before it
    bool simple = true;
    for (char c : s) {
      if (c >= '0' && c <= '9') {
        mantissa = mantissa * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
        if (decimals >= 0) ++decimals;
      } else if (c == '.' && decimals < 0) {
        decimals = 0;
      } else {
        simple = false;
        break;
      }
    }
    if (simple && digits > 0 && digits <= 15) {
      double v = static_cast<double>(mantissa);
      if (decimals > 0) v /= kPow10[decimals];
      *out = negative ? -v : v;
      return true;
    }
    for (char c : s) {
      const bool ok =
          (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
      if (!ok) return false;
    }
  } else if (!AsciiEqualsIgnoreCase(s, "nan") && !AsciiEqualsIgnoreCase(s, "inf") &&
             !AsciiEqualsIgnoreCase(s, "infinity")) {
    return false;
  }
  double v = 0;
  const auto result = absl::from_chars(s.data(), s.data() + s.size(), v);
  if (result.ptr != s.data() + s.size()) return false;
  if (result.ec == std::errc::result_out_of_range) {
    // Underflow reads as zero (as Go's ParseFloat does); overflow is refused.
    if (std::fabs(v) >= 1) return false;
    v = 0;
  } else if (result.ec != std::errc()) {
    return false;
  }
  *out = negative ? -v : v;
  return true;
}

bool ParseTimestamp(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool ParseType(std::string_view s, StatsdType* out) {
  if (s == "g") {
    *out = StatsdType::kGauge;
  } else if (s == "c") {
    *out = StatsdType::kCounter;
  } else if (s == "ms") {
    *out = StatsdType::kTimer;
  } else if (s == "h") {
    *out = StatsdType::kHistogram;
  } else if (s == "d") {
    *out = StatsdType::kDistribution;
  } else if (s == "s") {
    *out = StatsdType::kSet;
  } else {
    return false;
  }
  return true;
}

// Cuts `s` at the first `sep`: returns the head, leaves the tail in `s`
// (empty and `*found` false when there is no separator).
std::string_view CutAt(std::string_view& s, char sep, bool* found) {
  const size_t pos = s.find(sep);
  std::string_view head = s.substr(0, pos);
  *found = pos != std::string_view::npos;
  s = *found ? s.substr(pos + 1) : std::string_view();
  return head;
}

}  // namespace

StatsdParser::StatsdParser(StatsdParseOptions options) : options_(options) {
  tags_.reserve(options_.max_tags + 1);
}

size_t StatsdParser::Parse(std::string_view datagram, StatsdSink& sink) {
  size_t accepted = 0;
  size_t line_number = 0;
  while (!datagram.empty()) {
    ++line_number;
    bool more;
    std::string_view line = CutAt(datagram, '\n', &more);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) {
      const std::string_view reason = ParseLine(line, sink);
      if (reason.empty()) {
        ++accepted;
      } else {
        sink.OnReject(line_number, reason);
      }
    }
    if (!more) break;
  }
  return accepted;
}

std::string_view StatsdParser::ParseLine(std::string_view line, StatsdSink& sink) {
  if (line.size() > options_.max_line_bytes) return reject::kTooLong;
  if (!IsValidUtf8(line)) return reject::kInvalidUtf8;

  // Everything before the first ':' is the name: Flink guarantees the
  // identifier holds no ':' and may hold any of "|#,@".
  bool found;
  std::string_view rest = line;
  const std::string_view name = CutAt(rest, ':', &found);
  if (!found) return reject::kNoColon;
  if (name.empty()) return reject::kEmptyName;

  const std::string_view value_text = CutAt(rest, '|', &found);
  if (!found) return reject::kNoType;
  const std::string_view type_text = CutAt(rest, '|', &found);
  if (type_text.empty()) return reject::kNoType;
  StatsdMetric metric;
  if (!ParseType(type_text, &metric.type)) return reject::kUnknownType;

  // Values before fields: a line with a bad value is a bad value, whatever
  // else is wrong with it.
  values_.clear();
  if (metric.type == StatsdType::kSet) {
    // DogStatsD keeps ':' inside a set member rather than packing values.
    if (value_text.empty()) return reject::kEmptyValue;
    values_.push_back(std::numeric_limits<double>::quiet_NaN());
  } else {
    std::string_view pieces = value_text;
    bool more = true;
    while (more) {
      const std::string_view piece = CutAt(pieces, ':', &more);
      if (piece.empty()) return reject::kEmptyValue;
      double v;
      if (!ParseNumber(piece, &v)) return reject::kBadValue;
      values_.push_back(v);
    }
    const bool packable = metric.type == StatsdType::kTimer ||
                          metric.type == StatsdType::kHistogram ||
                          metric.type == StatsdType::kDistribution;
    if (values_.size() > 1 && !packable) return reject::kPackedValues;
  }

  tags_.clear();
  bool seen_rate = false, seen_tags = false, seen_container = false, seen_time = false;
  auto add_tag = [this](std::string_view key, std::string_view value) {
    for (LabelView& tag : tags_) {
      if (tag.name == key) {
        tag.value = value;
        return;
      }
    }
    tags_.push_back({key, value});
  };
  while (found) {
    const std::string_view field = CutAt(rest, '|', &found);
    if (field.empty()) return reject::kEmptyField;
    const std::string_view body = field.substr(1);
    switch (field[0]) {
      case '@': {
        if (seen_rate) return reject::kDuplicateField;
        seen_rate = true;
        double rate;
        if (!ParseNumber(body, &rate) || !(rate >= 0 && rate <= 1)) return reject::kBadSampleRate;
        metric.sample_rate = rate == 0 ? 1 : rate;
        break;
      }
      case '#': {
        if (seen_tags) return reject::kDuplicateField;
        seen_tags = true;
        if (!options_.dogstatsd_tags) break;
        std::string_view list = body;
        bool more = true;
        while (more) {
          std::string_view tag = CutAt(list, ',', &more);
          if (!tag.empty() && tag[0] == '#') tag.remove_prefix(1);  // php client style
          bool has_value;
          const std::string_view key = CutAt(tag, ':', &has_value);
          // `tag` now holds the value; a bare or half-empty tag is dropped.
          if (!has_value || key.empty() || tag.empty()) continue;
          add_tag(key, tag);
          if (tags_.size() > options_.max_tags) return reject::kTooManyTags;
        }
        break;
      }
      case 'c': {
        if (body.size() < 2 || body[0] != ':') return reject::kBadContainerId;
        if (seen_container) return reject::kDuplicateField;
        seen_container = true;
        if (!options_.dogstatsd_tags) break;
        add_tag("container_id", body.substr(1));
        if (tags_.size() > options_.max_tags) return reject::kTooManyTags;
        break;
      }
      case 'T': {
        if (seen_time) return reject::kDuplicateField;
        seen_time = true;
        if (!ParseTimestamp(body, &metric.timestamp_s)) return reject::kBadTimestamp;
        break;
      }
      default:
        return reject::kUnknownField;
    }
  }

  metric.name = name;
  metric.tags = tags_;
  if (metric.type == StatsdType::kSet) {
    metric.value = values_[0];
    metric.raw_value = value_text;
    sink.OnMetric(metric);
    return {};
  }
  metric.signed_delta =
      metric.type == StatsdType::kGauge && (value_text[0] == '+' || value_text[0] == '-');
  std::string_view pieces = value_text;
  bool more = true;
  for (double v : values_) {
    metric.raw_value = CutAt(pieces, ':', &more);
    metric.value = metric.type == StatsdType::kCounter ? v / metric.sample_rate : v;
    sink.OnMetric(metric);
  }
  return {};
}

}  // namespace vitals::gateway
