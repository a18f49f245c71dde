#include "gateway/receivers/promtext/parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/ascii.h"
#include "common/base/strings.h"
#include "common/base/utf8.h"
#include "gateway/receivers/parse_error.h"

namespace vitals::gateway {
namespace {

// ---------------------------------------------------------------------------
// Bytes

enum : uint8_t {
  kMetricStart = 1 << 0,  // [a-zA-Z_:]
  kMetricChar = 1 << 1,   // [a-zA-Z0-9_:]
  kLabelStart = 1 << 2,   // [a-zA-Z_]
  kLabelChar = 1 << 3,    // [a-zA-Z0-9_]
  kBlank = 1 << 4,        // the 0.0.4 token separators
  kValueStop = 1 << 5,    // where the fast label-value scan hands over
};

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    uint8_t bits = 0;
    if (alpha || c == '_') bits |= kMetricStart | kMetricChar | kLabelStart | kLabelChar;
    if (c == ':') bits |= kMetricStart | kMetricChar;
    if (digit) bits |= kMetricChar | kLabelChar;
    if (c == ' ' || c == '\t') bits |= kBlank;
    if (c == '"' || c == '\\' || c >= 0x80) bits |= kValueStop;
    table[c] = bits;
  }
  return table;
}
constexpr std::array<uint8_t, 256> kBytes = MakeByteClasses();

inline bool Is(char c, uint8_t cls) { return (kBytes[static_cast<uint8_t>(c)] & cls) != 0; }

inline const char* SkipBlanks(const char* p, const char* end) {
  while (p < end && Is(*p, kBlank)) ++p;
  return p;
}

inline const char* SkipClass(const char* p, const char* end, uint8_t cls) {
  while (p < end && Is(*p, cls)) ++p;
  return p;
}

// The first '"', '\\' or non-ASCII byte in [p, end), or end: where a label
// value ends or needs a closer look. Label values are most of a Flink line.
inline const char* FindValueStop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), v);
    if (const int mask = _mm_movemask_epi8(stop); mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && !Is(*p, kValueStop)) ++p;
  return p;
}

// Body text quoted into an error message, which goes back to the client:
// escaped, so control bytes and broken UTF-8 stay out of logs and responses,
// and cut short.
std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  out += absl::CHexEscape(AsAbsl(text.substr(0, kMax)));
  out += text.size() > kMax ? "...\"" : "\"";
  return out;
}

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

// ---------------------------------------------------------------------------
// Numbers

// from_chars reports both overflow and underflow to zero as out of range. Go's
// ParseFloat (the 0.0.4 reference) rejects the first and reads the second as 0;
// OpenMetrics says numbers must fit a double. Decides which one `digits` (an
// unsigned decimal that from_chars matched completely) is.
bool UnderflowsToZero(std::string_view digits) {
  size_t i = 0;
  const size_t n = digits.size();
  int64_t int_digits = 0;  // significant digits before the point
  int64_t frac_zeros = 0;  // zeros after the point before the first significant digit
  bool significant = false;
  for (; i < n && digits[i] >= '0' && digits[i] <= '9'; ++i) {
    if (significant || digits[i] != '0') {
      significant = true;
      ++int_digits;
    }
  }
  if (i < n && digits[i] == '.') {
    for (++i; i < n && digits[i] >= '0' && digits[i] <= '9'; ++i) {
      if (!significant) {
        if (digits[i] == '0') {
          ++frac_zeros;
        } else {
          significant = true;
        }
      }
    }
  }
  int64_t exponent = 0;
  if (i < n && (digits[i] == 'e' || digits[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < n && (digits[i] == '+' || digits[i] == '-')) negative = digits[i++] == '-';
    for (; i < n; ++i) exponent = std::min<int64_t>(exponent * 10 + (digits[i] - '0'), 1'000'000);
    if (negative) exponent = -exponent;
  }
  const int64_t magnitude = (int_digits > 0 ? int_digits : -frac_zeros) + exponent;
  return magnitude <= 0;
}

// The number grammar both formats share (OpenMetrics' ABNF, which is also
// what Go's ParseFloat accepts once hex floats and `_` are excluded):
//   [sign] digits [. digits] [(e|E) [sign] digits]   (either digit run may be empty, not both)
//   [sign] inf | [sign] infinity | nan                (any case; only with `special`)
bool ParseNumber(std::string_view s, bool special, double& out) {
  if (s.empty()) return false;
  bool negative = false;
  std::string_view rest = s;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
    if (rest.empty()) return false;
  }
  const char first = rest[0];
  if ((first >= '0' && first <= '9') || first == '.') {
    double value = 0;
    const char* end = rest.data() + rest.size();
    const auto [ptr, ec] = std::from_chars(rest.data(), end, value, std::chars_format::general);
    if (ptr != end) return false;
    if (ec == std::errc::result_out_of_range) {
      if (!UnderflowsToZero(rest)) return false;
      value = 0;
    } else if (ec != std::errc()) {
      return false;
    }
    out = negative ? -value : value;
    return true;
  }
  if (!special) return false;
  if (AsciiEqualsIgnoreCase(rest, "inf") || AsciiEqualsIgnoreCase(rest, "infinity")) {
    out = negative ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
    return true;
  }
  if (rest.size() == s.size() && AsciiEqualsIgnoreCase(rest, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return false;
}

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

int64_t SecondsToMillis(double seconds) {
  // OpenMetrics allows any real number; beyond int64 milliseconds (±292
  // million years) nothing meaningful is lost by saturating.
  const double ms = seconds * 1000.0;
  if (ms >= 9.2e18) return std::numeric_limits<int64_t>::max();
  if (ms <= -9.2e18) return std::numeric_limits<int64_t>::min();
  return std::llround(ms);
}

// ---------------------------------------------------------------------------
// Tables

// Open-addressing tables that keep their slots between bodies. Clear() only
// bumps a generation, so clearing a table that once grew large costs nothing
// and refilling it allocates nothing.
template <typename Slot>
class GenerationSlots {
 protected:
  // Index of the slot for `hash` where `match` holds, or of the free slot
  // where it would go.
  template <typename Match>
  size_t Probe(uint64_t hash, Match match) const {
    size_t i = hash & mask_;
    while (slots_[i].generation == generation_ && !match(slots_[i])) i = (i + 1) & mask_;
    return i;
  }
  bool Used(size_t i) const { return slots_[i].generation == generation_; }
  Slot& Claim(size_t i) {
    ++size_;
    slots_[i].generation = generation_;
    return slots_[i];
  }
  // Makes room for one more entry; true if the slots moved (indices changed).
  template <typename Rehash>
  bool Reserve(Rehash rehash) {
    if ((size_ + 1) * 2 <= slots_.size()) return false;
    std::vector<Slot> old = std::move(slots_);
    const uint32_t old_generation = generation_;
    slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    mask_ = slots_.size() - 1;
    generation_ = 1;
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.generation == old_generation) rehash(slot);
    }
    return true;
  }

 public:
  void Clear() {
    size_ = 0;
    if (++generation_ == 0) {  // wrapped: stale slots could look current
      for (Slot& slot : slots_) slot.generation = 0;
      generation_ = 1;
    }
  }

 protected:
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint32_t generation_ = 1;
};

inline uint64_t HashView(std::string_view s) { return std::hash<std::string_view>{}(s); }

struct ViewSlot {
  uint32_t generation = 0;
  uint32_t value = 0;
  std::string_view key;
  uint64_t hash = 0;
};

// string_view -> uint32; the caller keeps the keys' bytes alive.
class ViewTable : public GenerationSlots<ViewSlot> {
 public:
  static constexpr uint32_t kMissing = std::numeric_limits<uint32_t>::max();

  uint32_t Find(std::string_view key) const {
    if (slots_.empty()) return kMissing;
    const uint64_t hash = HashView(key);
    const size_t i = Probe(hash, [&](const ViewSlot& s) { return s.hash == hash && s.key == key; });
    return Used(i) ? slots_[i].value : kMissing;
  }

  // `key` must be absent.
  void Insert(std::string_view key, uint32_t value) { Put(key, HashView(key), value); }

 private:
  void Put(std::string_view key, uint64_t hash, uint32_t value) {
    Reserve([this](const ViewSlot& s) { Put(s.key, s.hash, s.value); });
    ViewSlot& slot = Claim(Probe(hash, [](const ViewSlot&) { return false; }));
    slot.key = key;
    slot.hash = hash;
    slot.value = value;
  }
};

struct HashSlot {
  uint32_t generation = 0;
  uint64_t key = 0;
};

// A set of (already well mixed) 64-bit hashes.
class HashSet : public GenerationSlots<HashSlot> {
 public:
  bool Contains(uint64_t key) const {
    if (slots_.empty()) return false;
    return Used(Probe(key, [&](const HashSlot& s) { return s.key == key; }));
  }
  void Insert(uint64_t key) {
    if (Contains(key)) return;
    Reserve([this](const HashSlot& s) { Insert(s.key); });
    Claim(Probe(key, [](const HashSlot&) { return false; })).key = key;
  }
};

// A set of strings that owns them in reused chunks, so steady-state inserts
// do not allocate and its views stay put while it grows.
class InternedSet {
 public:
  // False if `s` was already present.
  bool Insert(std::string_view s) {
    if (table_.Find(s) != ViewTable::kMissing) return false;
    table_.Insert(Store(s), 0);
    return true;
  }
  void Clear() {
    table_.Clear();
    current_ = 0;
    used_ = 0;
  }

 private:
  static constexpr size_t kChunkBytes = 16 * 1024;
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size;
  };

  std::string_view Store(std::string_view s) {
    if (s.empty()) return {};
    for (; current_ < chunks_.size(); ++current_, used_ = 0) {
      if (chunks_[current_].size - used_ >= s.size()) break;
    }
    if (current_ == chunks_.size()) {
      const size_t size = std::max(kChunkBytes, s.size());
      chunks_.push_back({std::make_unique<char[]>(size), size});
      used_ = 0;
    }
    char* dst = chunks_[current_].data.get() + used_;
    std::memcpy(dst, s.data(), s.size());
    used_ += s.size();
    return {dst, s.size()};
  }

  ViewTable table_;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;
  size_t used_ = 0;
};

// Order-insensitive hash of a label set minus one label: OpenMetrics groups a
// family's samples into metrics by label set, `{a="1",b="2"}` == `{b="2",a="1"}`.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t GroupHash(std::span<const LabelView> labels, std::string_view skip) {
  uint64_t sum = 0;
  uint64_t count = 0;
  for (const LabelView& l : labels) {
    if (l.name == skip) continue;
    const uint64_t name = std::hash<std::string_view>{}(l.name);
    const uint64_t value = std::hash<std::string_view>{}(l.value);
    sum += Mix(name * 0x9E3779B97F4A7C15ULL ^ Mix(value + 0x632BE59BD9B4E019ULL));
    ++count;
  }
  return Mix(sum ^ Mix(count));
}

const LabelView* FindLabel(std::span<const LabelView> labels, std::string_view name) {
  for (const LabelView& l : labels) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// ---------------------------------------------------------------------------
// Scratch: everything that survives between bodies so its capacity is reused.

namespace promtext_internal {

struct Scratch {
  std::vector<LabelView> labels;
  std::string unescaped;  // label values of the current line that had escapes
  std::string reason;     // the current error, built only on failure

  // 0.0.4: families by name, over the whole body (0.0.4 lets them interleave).
  struct Family {
    SampleType type = SampleType::kUntyped;
    bool typed = false;  // by TYPE, or fixed as untyped by a sample
    bool has_help = false;
  };
  ViewTable family_index;
  std::vector<Family> families;

  // OpenMetrics: the family names (with their suffixes) already closed, the
  // label groups seen in the current family, and an exemplar's label set.
  InternedSet closed_names;
  std::string candidate_name;
  HashSet seen_groups;
  std::vector<LabelView> exemplar_labels;
  std::string exemplar_unescaped;
};

}  // namespace promtext_internal

namespace {

using promtext_internal::Scratch;

// ---------------------------------------------------------------------------
// What both formats share: label sets, label values, limits, delivery.

constexpr uint64_t NameBit(std::string_view name) {
  return uint64_t{1} << ((name.size() * 7 + static_cast<uint8_t>(name.back()) * 3 +
                          static_cast<uint8_t>(name.front())) &
                         63);
}

// Seeded with the reserved name, so that it always takes the slow path.
constexpr uint64_t kNoLabelsSeen = NameBit("__name__");

class LineParserBase {
 public:
  LineParserBase(Scratch& scratch, const PromTextLimits& limits, SampleSink& sink)
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

  Scratch& s_;
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

// ---------------------------------------------------------------------------
// Prometheus text 0.0.4

class Text004Parser : public LineParserBase {
 public:
  using LineParserBase::LineParserBase;

  absl::Status Run(std::string_view body) {
    s_.family_index.Clear();
    s_.families.clear();
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
    Scratch::Family& family = s_.families[r->family];
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
    Scratch::Family& family = s_.families[r.family];
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
      if (!EndsWith(name, suffix)) continue;
      const uint32_t base = s_.family_index.Find(name.substr(0, name.size() - suffix.size()));
      if (base != ViewTable::kMissing && s_.families[base].type == SampleType::kGaugeHistogram) {
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
    if (const uint32_t index = s_.family_index.Find(name); index != ViewTable::kMissing) {
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
      if (!EndsWith(name, suffix.text)) continue;
      const std::string_view base = name.substr(0, name.size() - suffix.text.size());
      const uint32_t index = s_.family_index.Find(base);
      if (index == ViewTable::kMissing) continue;
      const SampleType type = s_.families[index].type;
      if ((suffix.summary && type == SampleType::kSummary) || type == SampleType::kHistogram ||
          type == SampleType::kGaugeHistogram) {
        return {index, base, suffix.role};
      }
    }
    const auto index = static_cast<uint32_t>(s_.families.size());
    s_.families.emplace_back();
    s_.family_index.Insert(name, index);
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

  std::string_view cached_name_;
  Resolved cached_;
};

// ---------------------------------------------------------------------------
// OpenMetrics 1.0

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
  using LineParserBase::LineParserBase;

  absl::Status Run(std::string_view body) {
    s_.closed_names.Clear();
    s_.seen_groups.Clear();
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
    s_.exemplar_labels.clear();
    s_.exemplar_unescaped.clear();
    p = Labels(p + 3, end, line_size, s_.exemplar_labels, s_.exemplar_unescaped);
    if (p == nullptr) return false;
    size_t code_points = 0;
    for (const LabelView& l : s_.exemplar_labels) {
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
    s_.seen_groups.Clear();
  }

  // What can only be judged once a family is complete: its last histogram
  // point, its unit, and whether its sample names collide with another
  // family's (a gauge `a_total` next to a counter `a`).
  bool CloseFamily() {
    if (!family_.open) return true;
    family_.open = false;
    if (IsHistogram(family_.type) && !FinishHistogramPoint()) return false;
    if (!family_.unit.empty()) {
      if (!EndsWith(family_.name, family_.unit) ||
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
    s_.candidate_name.assign(family_.name.data(), family_.name.size());
    s_.candidate_name.append(suffix.data(), suffix.size());
    if (s_.closed_names.Insert(s_.candidate_name)) return true;
    return Fail(absl::StrCat("family \"", AsAbsl(family_.name), "\" repeats or clashes over \"",
                             s_.candidate_name, "\""));
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
    } else if (group_.active && s_.seen_groups.Contains(group)) {
      return Fail(
          absl::StrCat("samples of \"", AsAbsl(name), "\" interleave with another label set"));
    }
    group_ = {true, group, has_timestamp, timestamp};
    s_.seen_groups.Insert(group);

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

  Family family_;
  Group group_;
  HistogramPoint point_;
};

}  // namespace

// ---------------------------------------------------------------------------

TextFormat TextFormatFromContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  return AsciiEqualsIgnoreCase(media, "application/openmetrics-text") ? TextFormat::kOpenMetrics100
                                                                      : TextFormat::kPrometheus004;
}

PromTextParser::PromTextParser(TextFormat format, PromTextLimits limits)
    : format_(format), limits_(limits), scratch_(std::make_unique<promtext_internal::Scratch>()) {
  scratch_->labels.reserve(std::min<size_t>(limits_.max_labels, 32));
}

PromTextParser::~PromTextParser() = default;
PromTextParser::PromTextParser(PromTextParser&&) noexcept = default;
PromTextParser& PromTextParser::operator=(PromTextParser&&) noexcept = default;

absl::Status PromTextParser::Parse(std::string_view body, SampleSink& sink) {
  if (format_ == TextFormat::kOpenMetrics100) {
    return OpenMetricsParser(*scratch_, limits_, sink).Run(body);
  }
  return Text004Parser(*scratch_, limits_, sink).Run(body);
}

}  // namespace vitals::gateway
