#include "gateway/receivers/influx/parser.h"

#include <array>
#include <cstdio>
#include <limits>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/charconv.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/base/utf8.h"

namespace vitals::gateway {
namespace {

// Byte classes of the grammar (line-protocol.ebnf of influxdata/line-protocol).
enum : uint8_t {
  kMeasurementChar = 1 << 0,  // not control, space or comma
  kKeyChar = 1 << 1,          // tag and field keys: also not '='
  kTagValueChar = 1 << 2,     // controls other than CR and LF are allowed
  kFieldValueChar = 1 << 3,   // unquoted field values run to ',', ' ', CR or LF
  kTimeChar = 1 << 4,         // '-' and digits
  kCommentChar = 1 << 5,      // printable or tab
};

// Which characters a backslash escapes, per token kind. A backslash before
// any other byte is an ordinary character (`a\b` stays `a\b`), which is how
// InfluxDB and the reference decoder read it.
enum : uint8_t {
  kMeasurementEscape = 1 << 0,  // ' ' ','
  kKeyEscape = 1 << 1,          // ' ' ',' '='
};

constexpr bool IsControl(unsigned c) { return c < 0x20 || c == 0x7f; }

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    uint8_t v = 0;
    if (!IsControl(c) && c != ' ' && c != ',') v |= kMeasurementChar;
    if (!IsControl(c) && c != ' ' && c != ',' && c != '=') v |= kKeyChar;
    if (c != ' ' && c != ',' && c != '=' && c != '\r' && c != '\n') v |= kTagValueChar;
    if (c != ',' && c != ' ' && c != '\r' && c != '\n') v |= kFieldValueChar;
    if (c == '-' || (c >= '0' && c <= '9')) v |= kTimeChar;
    if (!IsControl(c) || c == '\t') v |= kCommentChar;
    t[c] = v;
  }
  return t;
}

constexpr std::array<uint8_t, 256> MakeEscapeClasses() {
  std::array<uint8_t, 256> t{};
  t[' '] = kMeasurementEscape | kKeyEscape;
  t[','] = kMeasurementEscape | kKeyEscape;
  t['='] = kKeyEscape;
  return t;
}

constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();
constexpr std::array<uint8_t, 256> kEscapeClasses = MakeEscapeClasses();

inline bool Is(char c, uint8_t char_class) {
  return (kCharClasses[static_cast<unsigned char>(c)] & char_class) != 0;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decimal digits into a uint64; false on an empty run, a non-digit or overflow.
bool ParseDigits(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) ||
        __builtin_add_overflow(v, static_cast<uint64_t>(c - '0'), &v)) {
      return false;
    }
  }
  out = v;
  return true;
}

// `-?[0-9]+` into an int64, with the full range down to INT64_MIN.
bool ParseInt64(std::string_view s, int64_t& out) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  uint64_t magnitude;
  if (!ParseDigits(s, magnitude)) return false;
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (magnitude > kMaxPositive + 1) return false;
    out = static_cast<int64_t>(0 - magnitude);
  } else {
    if (magnitude > kMaxPositive) return false;
    out = static_cast<int64_t>(magnitude);
  }
  return true;
}

// The grammar's float: [-] (digits [. [digits]] | . digits) [(e|E) [+|-] digits].
// Checked before conversion because from_chars would also take "inf", "nan"
// and hex forms, none of which are line protocol.
bool IsFloatSyntax(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  size_t digits = 0;
  while (i < n && IsDigit(s[i])) ++i, ++digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < n && IsDigit(s[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == n;
}

enum class FloatResult { kOk, kSyntax, kOverflow };

FloatResult ParseFloat(std::string_view s, double& out) {
  if (!IsFloatSyntax(s)) return FloatResult::kSyntax;
  double v = 0;
  const auto [ptr, ec] = absl::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr != s.data() + s.size()) return FloatResult::kSyntax;
  if (ec == std::errc::result_out_of_range) {
    // abseil reports underflow as out of range with a zero value; like
    // InfluxDB, a number too small to represent is read as zero, only one too
    // large to represent is an error.
    if (v != 0) return FloatResult::kOverflow;
  } else if (ec != std::errc()) {
    return FloatResult::kSyntax;
  }
  out = v;
  return FloatResult::kOk;
}

bool ParseBool(std::string_view s, bool& out) {
  if (s == "t" || s == "T" || s == "true" || s == "True" || s == "TRUE") {
    out = true;
    return true;
  }
  if (s == "f" || s == "F" || s == "false" || s == "False" || s == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<InfluxPrecision> ParseInfluxPrecision(std::string_view value, InfluxApi api) {
  if (value.empty()) return InfluxPrecision::kNanoseconds;
  if (api == InfluxApi::kV1) {
    if (value == "n" || value == "ns") return InfluxPrecision::kNanoseconds;
    if (value == "u") return InfluxPrecision::kMicroseconds;
    if (value == "ms") return InfluxPrecision::kMilliseconds;
    if (value == "s") return InfluxPrecision::kSeconds;
    if (value == "m") return InfluxPrecision::kMinutes;
    if (value == "h") return InfluxPrecision::kHours;
    return absl::InvalidArgumentError(absl::StrCat("invalid precision \"", AsAbsl(value),
                                                   "\"; /write accepts n, ns, u, ms, s, m or h"));
  }
  if (value == "ns") return InfluxPrecision::kNanoseconds;
  if (value == "us") return InfluxPrecision::kMicroseconds;
  if (value == "ms") return InfluxPrecision::kMilliseconds;
  if (value == "s") return InfluxPrecision::kSeconds;
  return absl::InvalidArgumentError(absl::StrCat("invalid precision \"", AsAbsl(value),
                                                 "\"; /api/v2/write accepts ns, us, ms or s"));
}

int64_t InfluxPrecisionNanos(InfluxPrecision precision) {
  switch (precision) {
    case InfluxPrecision::kNanoseconds:
      return 1;
    case InfluxPrecision::kMicroseconds:
      return 1'000;
    case InfluxPrecision::kMilliseconds:
      return 1'000'000;
    case InfluxPrecision::kSeconds:
      return 1'000'000'000;
    case InfluxPrecision::kMinutes:
      return 60'000'000'000;
    case InfluxPrecision::kHours:
      return 3'600'000'000'000;
  }
  return 1;
}

InfluxParser::InfluxParser(InfluxParseOptions options) : options_(options) {}

size_t InfluxParser::Parse(std::string_view body, InfluxPrecision precision, InfluxSink& sink) {
  body_ = body;
  pos_ = 0;
  line_ = 1;
  size_t accepted = 0;
  while (true) {
    SkipBlankLines();
    if (pos_ >= body_.size()) break;
    if (ParseLine(precision)) {
      InfluxPoint point;
      point.measurement = measurement_;
      point.tags = tags_;
      point.fields = fields_;
      point.has_timestamp = has_timestamp_;
      point.timestamp_ns = timestamp_ns_;
      sink.OnPoint(point);
      ++accepted;
      continue;
    }
    sink.OnReject(error_line_, reason_);
    // Recover at the next line, as InfluxDB does: the rest of this one
    // cannot be trusted to be what the client meant.
    const size_t newline = body_.find('\n', pos_);
    if (newline == std::string_view::npos) break;
    pos_ = newline + 1;
    ++line_;
  }
  body_ = {};
  return accepted;
}

// Skips empty lines, lines of spaces and `#` comments.
void InfluxParser::SkipBlankLines() {
  const size_t n = body_.size();
  while (pos_ < n) {
    size_t p = pos_;
    while (p < n && body_[p] == ' ') ++p;
    pos_ = p;
    if (p == n) return;
    const char c = body_[p];
    if (c == '\n' || c == '\r') {
      if (!AtEndOfLine()) return;  // a lone CR: the line parser rejects it
      ConsumeEndOfLine();
      continue;
    }
    if (c != '#') return;
    ++pos_;
    while (pos_ < n && Is(body_[pos_], kCommentChar)) ++pos_;
    if (!AtEndOfLine()) {
      pos_ = p;  // a control character inside: the line parser rejects it
      return;
    }
    ConsumeEndOfLine();
  }
}

bool InfluxParser::ParseLine(InfluxPrecision precision) {
  tags_.clear();
  fields_.clear();
  unescaped_.clear();
  deferred_.clear();
  has_timestamp_ = false;
  timestamp_ns_ = 0;
  error_line_ = line_;

  if (body_[pos_] == '#') return Fail("comment contains a control character");
  const size_t start = pos_;
  if (!TakeToken(kMeasurementChar, kMeasurementEscape, Slot::kMeasurement, 0, measurement_)) {
    return false;
  }
  if (pos_ == start) return FailAtByte("expected a measurement name, found");
  if (!ParseTags() || !ParseFields() || !ParseTimestamp(precision)) return false;
  ResolveDeferred();
  if (!CheckTagsUnique()) return false;
  ConsumeEndOfLine();
  return true;
}

// Takes a measurement, key or tag value. On return `out` views the body, or
// is completed by ResolveDeferred when the token had escapes.
bool InfluxParser::TakeToken(uint8_t char_class, uint8_t escape_class, Slot slot, size_t index,
                             std::string_view& out) {
  const char* data = body_.data();
  const size_t n = body_.size();
  const size_t start = pos_;
  size_t segment = start;  // first byte not yet copied to unescaped_
  size_t unescaped_start = std::string::npos;
  unsigned char seen = 0;
  while (pos_ < n) {
    const char c = data[pos_];
    if (c == '\\') {
      if (pos_ + 1 < n &&
          (kEscapeClasses[static_cast<unsigned char>(data[pos_ + 1])] & escape_class) != 0) {
        if (unescaped_start == std::string::npos) unescaped_start = unescaped_.size();
        unescaped_.append(data + segment, pos_ - segment);
        unescaped_.push_back(data[pos_ + 1]);
        pos_ += 2;
        segment = pos_;
        continue;
      }
      ++pos_;
      continue;
    }
    if (!Is(c, char_class)) break;
    seen |= static_cast<unsigned char>(c);
    ++pos_;
  }
  const std::string_view raw = body_.substr(start, pos_ - start);
  // Escapes only ever drop an ASCII backslash before an ASCII byte, so the
  // raw token is valid UTF-8 exactly when the unescaped one is.
  if ((seen & 0x80) != 0 && !IsValidUtf8(raw)) {
    return Fail(absl::StrCat("invalid UTF-8 in \"", absl::CHexEscape(AsAbsl(raw)), "\""));
  }
  if (unescaped_start == std::string::npos) {
    out = raw;
    return true;
  }
  unescaped_.append(data + segment, pos_ - segment);
  deferred_.push_back({slot, index, unescaped_start, unescaped_.size() - unescaped_start});
  out = {};
  return true;
}

// From just after the measurement to the first field key.
bool InfluxParser::ParseTags() {
  const size_t n = body_.size();
  while (true) {
    const char c = pos_ == n ? '\n' : body_[pos_];
    if (c == '\n' || c == '\r') return Fail("the line has no fields");
    if (c == ' ') break;
    if (c != ',') return FailAtByte("expected ',' or ' ' after the measurement or a tag, found");
    ++pos_;
    if (tags_.size() == options_.max_tags) {
      return Fail(absl::StrCat("more than ", options_.max_tags, " tags"));
    }
    const size_t index = tags_.size();
    LabelView& tag = tags_.emplace_back();
    const size_t key_start = pos_;
    if (!TakeToken(kKeyChar, kKeyEscape, Slot::kTagName, index, tag.name)) return false;
    if (pos_ == key_start) return FailAtByte("expected a tag key, found");
    if (pos_ == n || body_[pos_] != '=') return FailAtByte("expected '=' after the tag key, found");
    ++pos_;
    const size_t value_start = pos_;
    if (!TakeToken(kTagValueChar, kKeyEscape, Slot::kTagValue, index, tag.value)) return false;
    if (pos_ == value_start) return FailAtByte("expected a tag value, found");
  }
  while (pos_ < n && body_[pos_] == ' ') ++pos_;
  return true;
}

bool InfluxParser::ParseFields() {
  const size_t n = body_.size();
  while (true) {
    if (fields_.size() == options_.max_fields) {
      return Fail(absl::StrCat("more than ", options_.max_fields, " fields"));
    }
    const size_t index = fields_.size();
    InfluxField& field = fields_.emplace_back();
    const size_t key_start = pos_;
    if (!TakeToken(kKeyChar, kKeyEscape, Slot::kFieldKey, index, field.key)) return false;
    if (pos_ == key_start) return FailAtByte("expected a field key, found");
    if (pos_ == n || body_[pos_] != '=') {
      return FailAtByte("expected '=' after the field key, found");
    }
    ++pos_;
    if (!ParseFieldValue(field)) return false;
    if (pos_ == n) return true;
    const char c = body_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c != ' ' && c != '\r' && c != '\n') {
      return FailAtByte("expected ',' or ' ' after a field value, found");
    }
    return true;
  }
}

bool InfluxParser::ParseFieldValue(InfluxField& field) {
  const size_t n = body_.size();
  if (pos_ == n) return Fail("expected a field value, found end of input");
  const char first = body_[pos_];
  if (first == '"') return ParseStringValue(field);
  const bool is_bool = first == 't' || first == 'T' || first == 'f' || first == 'F';
  const bool is_number = first == '-' || first == '.' || IsDigit(first);
  if (!is_bool && !is_number) return FailAtByte("field value of unknown type, starting with");

  const size_t start = pos_;
  while (pos_ < n && Is(body_[pos_], kFieldValueChar)) ++pos_;
  std::string_view text = body_.substr(start, pos_ - start);
  const auto bad_value = [&](std::string_view what) {
    return Fail(absl::StrCat(AsAbsl(what), " \"", absl::CHexEscape(AsAbsl(text)), "\" for field \"",
                             absl::CHexEscape(AsAbsl(field.key)), "\""));
  };
  if (is_bool) {
    field.type = InfluxFieldType::kBoolean;
    if (!ParseBool(text, field.bool_value)) return bad_value("invalid boolean");
    return true;
  }
  switch (text.back()) {
    case 'i':
      field.type = InfluxFieldType::kInteger;
      text.remove_suffix(1);
      if (!ParseInt64(text, field.int_value)) return bad_value("invalid or out-of-range integer");
      return true;
    case 'u':
      field.type = InfluxFieldType::kUnsigned;
      text.remove_suffix(1);
      if (!ParseDigits(text, field.uint_value)) {
        return bad_value("invalid or out-of-range unsigned integer");
      }
      return true;
    default:
      field.type = InfluxFieldType::kFloat;
      switch (ParseFloat(text, field.float_value)) {
        case FloatResult::kOk:
          return true;
        case FloatResult::kOverflow:
          return bad_value("out-of-range float");
        case FloatResult::kSyntax:
          return bad_value("invalid float");
      }
  }
  return true;
}

// A double-quoted string; `\"` and `\\` are its only escapes, and it may
// span lines.
bool InfluxParser::ParseStringValue(InfluxField& field) {
  const char* data = body_.data();
  const size_t n = body_.size();
  const size_t opening_line = line_;
  const size_t start = ++pos_;
  size_t segment = start;
  size_t unescaped_start = std::string::npos;
  unsigned char seen = 0;
  while (pos_ < n) {
    const char c = data[pos_];
    if (c == '"') break;
    if (c == '\\' && pos_ + 1 < n && (data[pos_ + 1] == '"' || data[pos_ + 1] == '\\')) {
      if (unescaped_start == std::string::npos) unescaped_start = unescaped_.size();
      unescaped_.append(data + segment, pos_ - segment);
      unescaped_.push_back(data[pos_ + 1]);
      pos_ += 2;
      segment = pos_;
      continue;
    }
    if (c == '\n') ++line_;
    seen |= static_cast<unsigned char>(c);
    ++pos_;
  }
  if (pos_ == n) {
    error_line_ = opening_line;
    reason_ = absl::StrCat("unterminated string value for field \"",
                           absl::CHexEscape(AsAbsl(field.key)), "\"");
    return false;
  }
  field.type = InfluxFieldType::kString;
  const std::string_view raw = body_.substr(start, pos_ - start);
  ++pos_;  // closing quote
  if ((seen & 0x80) != 0 && !IsValidUtf8(raw)) {
    return Fail(absl::StrCat("invalid UTF-8 in the string value of field \"",
                             absl::CHexEscape(AsAbsl(field.key)), "\""));
  }
  if (unescaped_start == std::string::npos) {
    field.string_value = raw;
    return true;
  }
  unescaped_.append(data + segment, pos_ - 1 - segment);
  deferred_.push_back({Slot::kFieldString, static_cast<size_t>(&field - fields_.data()),
                       unescaped_start, unescaped_.size() - unescaped_start});
  return true;
}

// From just after the last field to the end of the line (not consumed).
bool InfluxParser::ParseTimestamp(InfluxPrecision precision) {
  const size_t n = body_.size();
  while (pos_ < n && body_[pos_] == ' ') ++pos_;
  if (AtEndOfLine()) return true;
  const size_t start = pos_;
  while (pos_ < n && Is(body_[pos_], kTimeChar)) ++pos_;
  if (pos_ == start) return FailAtByte("expected a timestamp or end of line, found");
  const std::string_view text = body_.substr(start, pos_ - start);
  if (pos_ < n && body_[pos_] != ' ' && body_[pos_] != '\r' && body_[pos_] != '\n') {
    size_t end = pos_;
    while (end < n && body_[end] != ' ' && body_[end] != '\r' && body_[end] != '\n') ++end;
    return Fail(absl::StrCat("invalid timestamp \"",
                             absl::CHexEscape(AsAbsl(body_.substr(start, end - start))), "\""));
  }
  while (pos_ < n && body_[pos_] == ' ') ++pos_;
  if (!AtEndOfLine()) return FailAtByte("unexpected text after the timestamp:");
  int64_t value;
  if (!ParseInt64(text, value)) {
    return Fail(absl::StrCat("invalid or out-of-range timestamp \"", AsAbsl(text), "\""));
  }
  if (__builtin_mul_overflow(value, InfluxPrecisionNanos(precision), &timestamp_ns_)) {
    return Fail(absl::StrCat("timestamp ", value, " overflows nanoseconds at this precision"));
  }
  has_timestamp_ = true;
  return true;
}

bool InfluxParser::CheckTagsUnique() {
  // Flink sends about ten tags: pairwise comparison beats sorting a copy.
  for (size_t i = 1; i < tags_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (tags_[i].name == tags_[j].name) {
        return Fail(
            absl::StrCat("duplicate tag key \"", absl::CHexEscape(AsAbsl(tags_[i].name)), "\""));
      }
    }
  }
  return true;
}

void InfluxParser::ResolveDeferred() {
  for (const DeferredView& d : deferred_) {
    const std::string_view view(unescaped_.data() + d.offset, d.size);
    switch (d.slot) {
      case Slot::kMeasurement:
        measurement_ = view;
        break;
      case Slot::kTagName:
        tags_[d.index].name = view;
        break;
      case Slot::kTagValue:
        tags_[d.index].value = view;
        break;
      case Slot::kFieldKey:
        fields_[d.index].key = view;
        break;
      case Slot::kFieldString:
        fields_[d.index].string_value = view;
        break;
    }
  }
}

// LF, CRLF, a CR that ends the input, or the end of the input.
bool InfluxParser::AtEndOfLine() const {
  const size_t n = body_.size();
  if (pos_ == n) return true;
  const char c = body_[pos_];
  if (c == '\n') return true;
  return c == '\r' && (pos_ + 1 == n || body_[pos_ + 1] == '\n');
}

void InfluxParser::ConsumeEndOfLine() {
  const size_t n = body_.size();
  if (pos_ < n && body_[pos_] == '\r') ++pos_;
  if (pos_ < n && body_[pos_] == '\n') {
    ++pos_;
    ++line_;
  }
}

bool InfluxParser::Fail(std::string_view reason) {
  error_line_ = line_;
  reason_.assign(reason);
  return false;
}

bool InfluxParser::FailAtByte(std::string_view what) {
  if (pos_ >= body_.size()) return Fail(absl::StrCat(AsAbsl(what), " end of input"));
  const char c = body_[pos_];
  if (c == '\n') return Fail(absl::StrCat(AsAbsl(what), " end of line"));
  if (c == '\r') return Fail(absl::StrCat(AsAbsl(what), " a carriage return"));
  if (IsControl(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80) != 0) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", static_cast<unsigned char>(c));
    return Fail(absl::StrCat(AsAbsl(what), " byte ", hex));
  }
  return Fail(absl::StrCat(AsAbsl(what), " '", AsAbsl(std::string_view(&c, 1)), "'"));
}

}  // namespace vitals::gateway
