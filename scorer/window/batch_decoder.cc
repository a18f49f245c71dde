#include "scorer/window/batch_decoder.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace vitals::scorer {
namespace {

// io::CodedInputStream's default recursion limit, which ParseFromArray
// applies: the batch itself sits at this depth, and every nested message
// or group takes one from it.
constexpr int kRecursionLimit = 100;

// Wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kFixed32 = 5;

constexpr uint32_t Tag(uint32_t field, uint32_t wire_type) { return field << 3 | wire_type; }

// The readers below take the cursor by reference and advance it past what
// they read; each returns false, cursor unspecified, when the bytes end
// early or break a rule of the wire format.

// A varint of up to kBytes bytes, modulo 2^(8 * sizeof(T)).
template <typename T, int kBytes>
inline bool ReadVarintOf(const uint8_t*& p, const uint8_t* end, T* out) {
  if (p < end && *p < 0x80) [[likely]] {
    *out = *p++;
    return true;
  }
  T v = 0;
  for (int i = 0; i < kBytes; ++i) {
    if (p + i >= end) return false;
    const T b = p[i];
    v |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      p += i + 1;
      *out = v;
      return true;
    }
  }
  return false;
}

// A varint of up to 10 bytes, modulo 2^64 (protobuf's VarintParse).
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  return ReadVarintOf<uint64_t, 10>(p, end, out);
}

// A tag: a varint of up to 5 bytes, modulo 2^32 (protobuf's ReadTag).
inline bool ReadTag(const uint8_t*& p, const uint8_t* end, uint32_t* out) {
  return ReadVarintOf<uint32_t, 5>(p, end, out);
}

// A length: up to 5 bytes, below 2 GiB less protobuf's slop (ReadSize),
// and within the enclosing message.
inline bool ReadLength(const uint8_t*& p, const uint8_t* end, size_t* out) {
  uint32_t v = 0;
  int i = 0;
  for (; i < 4; ++i) {
    if (p + i >= end) return false;
    const uint32_t b = p[i];
    v |= (b & 0x7f) << (7 * i);
    if (b < 0x80) break;
  }
  if (i == 4) {
    if (p + 4 >= end) return false;
    const uint32_t b = p[4];
    if (b >= 8) return false;
    v |= b << 28;
    if (v > INT_MAX - 16) return false;
  }
  p += i + 1;
  if (v > static_cast<size_t>(end - p)) return false;
  *out = v;
  return true;
}

inline bool ReadFixed64(const uint8_t*& p, const uint8_t* end, double* out) {
  if (end - p < 8) return false;
  std::memcpy(out, p, 8);
  p += 8;
  return true;
}

// Whether bytes [p, p + n) are all ASCII, branch-free for short strings.
inline bool IsAscii(const uint8_t* p, size_t n) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    any |= word;
  }
  if (i < n) {
    if (n >= 8) {  // the last 8 bytes, overlapping
      uint64_t word;
      std::memcpy(&word, p + n - 8, 8);
      any |= word;
    } else {
      for (; i < n; ++i) any |= p[i];
    }
  }
  return (any & 0x8080808080808080ULL) == 0;
}

// A proto3 `string`: length, bytes, and valid UTF-8.
inline bool ReadString(const uint8_t*& p, const uint8_t* end, std::string_view* out) {
  size_t n;
  if (!ReadLength(p, end, &n)) return false;
  *out = std::string_view(reinterpret_cast<const char*>(p), n);
  const uint8_t* s = p;
  p += n;
  return IsAscii(s, n) || IsValidUtf8(*out);
}

// Skips the rest of a group whose start tag (field `number`) was just
// read, nested groups included; `depth` is that of the message holding it.
[[gnu::cold]] bool SkipGroup(const uint8_t*& p, const uint8_t* end, uint32_t number, int depth) {
  std::vector<uint32_t> open;  // field numbers of the open groups
  if (--depth < 0) return false;
  open.push_back(number);
  while (p < end) {
    uint32_t tag;
    if (!ReadTag(p, end, &tag) || tag == 0) return false;
    const uint32_t field = tag >> 3;
    switch (tag & 7) {
      case kEndGroup:
        if (field != open.back()) return false;
        open.pop_back();
        ++depth;
        if (open.empty()) return true;
        continue;
      case kStartGroup:
        if (field == 0 || --depth < 0) return false;
        open.push_back(field);
        continue;
      default:
        break;
    }
    if (field == 0) return false;
    uint64_t ignored;
    size_t n;
    switch (tag & 7) {
      case kVarint:
        if (!ReadVarint(p, end, &ignored)) return false;
        break;
      case kFixed64:
        if (end - p < 8) return false;
        p += 8;
        break;
      case kLengthDelimited:
        if (!ReadLength(p, end, &n)) return false;
        p += n;
        break;
      case kFixed32:
        if (end - p < 4) return false;
        p += 4;
        break;
      default:
        return false;
    }
  }
  return false;  // the enclosing message ended inside the group
}

// A field the message does not know (or knows with another wire type), as
// protobuf keeps it among the unknown fields. Tag 0 and a stray end-group
// end protobuf's parse of the message short of its length: a failure.
[[gnu::cold, gnu::noinline]] bool SkipField(uint32_t tag, const uint8_t*& p, const uint8_t* end,
                                            int depth) {
  const uint32_t field = tag >> 3;
  if (field == 0) return false;
  uint64_t ignored;
  size_t n;
  switch (tag & 7) {
    case kVarint:
      return ReadVarint(p, end, &ignored);
    case kFixed64:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case kLengthDelimited:
      if (!ReadLength(p, end, &n)) return false;
      p += n;
      return true;
    case kStartGroup:
      return SkipGroup(p, end, field, depth);
    case kFixed32:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:  // end-group, or wire types 6 and 7
      return false;
  }
}

inline int32_t Enum(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

// Map semantics over entries [begin, end()) of `v`: one per key, the last
// value written for it.
template <typename T, typename Key>
void KeepLastPerKeySlow(std::vector<T>& v, size_t begin, Key key) {
  const size_t n = v.size() - begin;
  auto first = v.begin() + static_cast<std::ptrdiff_t>(begin);
  if (n <= 16) {
    // Walk back from the newest, keeping the first of each key seen.
    size_t kept = 0;  // kept entries sit at the end, newest last
    for (size_t i = n; i-- > 0;) {
      const T& e = first[static_cast<std::ptrdiff_t>(i)];
      bool seen = false;
      for (size_t j = n - kept; j < n; ++j) {
        if (key(first[static_cast<std::ptrdiff_t>(j)]) == key(e)) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        ++kept;
        first[static_cast<std::ptrdiff_t>(n - kept)] = e;
      }
    }
    std::move(first + static_cast<std::ptrdiff_t>(n - kept), v.end(), first);
    v.resize(begin + kept);
    return;
  }
  std::stable_sort(first, v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  auto out = first;
  for (auto it = first; it != v.end(); ++it) {
    if (it + 1 != v.end() && key(*(it + 1)) == key(*it)) continue;  // a later one wins
    *out++ = *it;
  }
  v.erase(out, v.end());
}

template <typename T, typename Key>
inline void KeepLastPerKey(std::vector<T>& v, size_t begin, Key key) {
  if (v.size() - begin >= 2) KeepLastPerKeySlow(v, begin, key);
}

inline std::string_view NameOf(const LabelRef& l) { return l.name; }
inline std::string_view QuantileOf(const QuantileRef& q) { return q.quantile; }

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  auto p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = p + bytes.size();
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (word & 0x8080808080808080ULL) break;
    p += 8;
  }
  while (p < end) {
    const uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    auto continuation = [](uint8_t b) { return (b & 0xc0) == 0x80; };
    if (c < 0xc2) return false;  // a continuation byte, or an overlong 2-byte form
    if (c < 0xe0) {
      if (end - p < 2 || !continuation(p[1])) return false;
      p += 2;
    } else if (c < 0xf0) {
      if (end - p < 3 || !continuation(p[1]) || !continuation(p[2])) return false;
      if (c == 0xe0 && p[1] < 0xa0) return false;   // overlong
      if (c == 0xed && p[1] >= 0xa0) return false;  // surrogate
      p += 3;
    } else if (c < 0xf5) {
      if (end - p < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) {
        return false;
      }
      if (c == 0xf0 && p[1] < 0x90) return false;   // overlong
      if (c == 0xf4 && p[1] >= 0x90) return false;  // above U+10FFFF
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

// The fields of a SeriesAggregate after its identity.
struct Figures {
  int32_t kind;
  uint64_t count;
  double sum;
  double min;
  double max;
  double last;
  int64_t last_timestamp_ms;
  double sum_squares;
  uint64_t baselined;
};

class WireParser {
 public:
  explicit WireParser(BatchDecoder& d) : d_(d) {}

  // The batch's own fields; the series only delimited.
  bool Batch(const uint8_t* p, const uint8_t* end) {
    BatchHeader& h = d_.header_;
    const int depth = kRecursionLimit;
    uint64_t v;
    size_t n;
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return false;
      switch (tag) {
        case Tag(1, kLengthDelimited):
          if (!ReadString(p, end, &h.gateway)) return false;
          break;
        case Tag(2, kLengthDelimited):
          if (!ReadString(p, end, &h.cluster)) return false;
          break;
        case Tag(3, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.interval_start_ms = static_cast<int64_t>(v);
          break;
        case Tag(4, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.interval_length_ms = static_cast<int64_t>(v);
          break;
        case Tag(5, kLengthDelimited):
          if (!ReadString(p, end, &h.job_id)) return false;
          break;
        case Tag(6, kLengthDelimited):
          if (!ReadString(p, end, &h.job_name)) return false;
          break;
        case Tag(7, kLengthDelimited):
          if (!ReadLength(p, end, &n)) return false;
          d_.spans_.emplace_back(reinterpret_cast<const char*>(p), n);
          p += n;
          break;
        case Tag(8, kLengthDelimited):
          if (!ReadString(p, end, &h.tenant)) return false;
          break;
        case Tag(9, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.part = static_cast<uint32_t>(v);
          break;
        case Tag(10, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.parts = static_cast<uint32_t>(v);
          break;
        case Tag(11, kLengthDelimited): {
          LabelRef& l = d_.job_labels_.emplace_back();
          if (!ReadLength(p, end, &n) || !StringEntry(p, p + n, depth - 1, &l.name, &l.value)) {
            return false;
          }
          p += n;
          break;
        }
        case Tag(12, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.processes = static_cast<uint32_t>(v);
          break;
        case Tag(13, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.shared_processes = static_cast<uint32_t>(v);
          break;
        case Tag(14, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          h.max_jobs_per_process = static_cast<uint32_t>(v);
          break;
        default:
          if (!SkipField(tag, p, end, depth)) return false;
      }
    }
    KeepLastPerKey(d_.job_labels_, 0, NameOf);
    return true;
  }

  // One series (at depth kRecursionLimit - 1, inside the batch).
  bool Series(std::string_view bytes, SeriesResolver* resolver) {
    constexpr int depth = kRecursionLimit - 1;
    const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
    const uint8_t* end = begin + bytes.size();
    const auto instances_begin = static_cast<uint32_t>(d_.instances_.size());
    const auto quantiles_begin = static_cast<uint32_t>(d_.quantiles_.size());
    Figures f;
    if (resolver != nullptr) {
      std::span<const std::string> prefixes;
      const uint32_t guess = resolver->Guess(&prefixes);
      for (const std::string& prefix : prefixes) {
        if (prefix.size() > bytes.size() || std::memcmp(begin, prefix.data(), prefix.size()) != 0) {
          continue;
        }
        // The same identity bytes as before, so valid and the same
        // identity, unless an identity field follows among the figures.
        ClearFigures(f);
        const uint8_t* p = begin + prefix.size();
        const Step step = FigureFields(p, end, depth, f);
        if (step == Step::kFail) return false;
        if (step == Step::kIdentity) {
          d_.instances_.resize(instances_begin);
          d_.quantiles_.resize(quantiles_begin);
          break;
        }
        KeepLastPerKey(d_.quantiles_, quantiles_begin, QuantileOf);
        resolver->Hit(guess);
        const auto labels_at = static_cast<uint32_t>(d_.labels_.size());
        Push(0, {}, f, guess, labels_at, labels_at, instances_begin, quantiles_begin);
        return true;
      }
    }

    const auto labels_begin = static_cast<uint32_t>(d_.labels_.size());
    int32_t scope = 0;
    std::string_view metric;
    ClearFigures(f);
    const uint8_t* p = begin;
    uint64_t v;
    // The identity, in the order protobuf writes it.
    if (At(p, end, Tag(1, kVarint))) {
      if (!ReadVarint(++p, end, &v)) return false;
      scope = Enum(v);
    }
    if (At(p, end, Tag(2, kLengthDelimited))) {
      if (!ReadString(++p, end, &metric)) return false;
    }
    while (At(p, end, Tag(3, kLengthDelimited))) {
      if (!Label(++p, end, depth)) return false;
    }
    const uint8_t* identity_end = p;
    bool identity_in_front = true;
    // The figures, then whatever came out of order.
    while (true) {
      const Step step = FigureFields(p, end, depth, f);
      if (step == Step::kFail) return false;
      if (step == Step::kOk) break;
      identity_in_front = false;
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return false;
      switch (tag) {
        case Tag(1, kVarint):
          if (!ReadVarint(p, end, &v)) return false;
          scope = Enum(v);
          break;
        case Tag(2, kLengthDelimited):
          if (!ReadString(p, end, &metric)) return false;
          break;
        case Tag(3, kLengthDelimited):
          if (!Label(p, end, depth)) return false;
          break;
        default:  // fields 1–3 with another wire type: unknown
          if (!SkipField(tag, p, end, depth)) return false;
      }
    }
    KeepLastPerKey(d_.labels_, labels_begin, NameOf);
    KeepLastPerKey(d_.quantiles_, quantiles_begin, QuantileOf);
    uint32_t slot = SeriesResolver::kNoSlot;
    if (resolver != nullptr) {
      SeriesView s;
      s.scope = scope;
      s.metric = metric;
      s.labels = std::span<const LabelRef>(d_.labels_).subspan(labels_begin);
      const std::string_view prefix =
          identity_in_front ? bytes.substr(0, static_cast<size_t>(identity_end - begin))
                            : std::string_view();
      slot = resolver->Resolve(s, prefix);
    }
    Push(scope, metric, f, slot, labels_begin, static_cast<uint32_t>(d_.labels_.size()),
         instances_begin, quantiles_begin);
    return true;
  }

 private:
  enum class Step { kOk, kFail, kIdentity };

  static void ClearFigures(Figures& f) {
    f.kind = 0;
    f.count = 0;
    f.sum = 0;
    f.min = 0;
    f.max = 0;
    f.last = 0;
    f.last_timestamp_ms = 0;
    f.sum_squares = 0;
    f.baselined = 0;
  }

  // The spans are set by Bind, once the scratch arrays stop growing.
  void Push(int32_t scope, std::string_view metric, const Figures& f, uint32_t slot,
            uint32_t labels_begin, uint32_t labels_end, uint32_t instances_begin,
            uint32_t quantiles_begin) {
    SeriesView& s = d_.NewSeries();
    s.slot = slot;
    s.scope = scope;
    s.metric = metric;
    s.kind = f.kind;
    s.count = f.count;
    s.sum = f.sum;
    s.min = f.min;
    s.max = f.max;
    s.last = f.last;
    s.last_timestamp_ms = f.last_timestamp_ms;
    s.sum_squares = f.sum_squares;
    s.baselined = f.baselined;
    d_.ranges_.push_back({labels_begin, labels_end, instances_begin,
                          static_cast<uint32_t>(d_.instances_.size()), quantiles_begin,
                          static_cast<uint32_t>(d_.quantiles_.size())});
  }

  static bool At(const uint8_t* p, const uint8_t* end, uint32_t tag) {
    return p < end && *p == tag;
  }

  // A labels entry, its tag read.
  bool Label(const uint8_t*& p, const uint8_t* end, int depth) {
    LabelRef& l = d_.labels_.emplace_back();
    size_t n;
    if (!ReadLength(p, end, &n) || !StringEntry(p, p + n, depth - 1, &l.name, &l.value)) {
      return false;
    }
    p += n;
    return true;
  }

  // The fields after the identity, up to the end of the series or to an
  // identity field (kIdentity, `p` at its tag).
  [[gnu::always_inline]] Step FigureFields(const uint8_t*& p, const uint8_t* end, int depth,
                                           Figures& f) {
    uint64_t v;
    size_t n;
    // In the order protobuf writes them, straight through; anything else
    // (absent, repeated, reordered, unknown) in the loop after.
    if (At(p, end, Tag(4, kVarint))) {
      if (!ReadVarint(++p, end, &v)) return Step::kFail;
      f.kind = Enum(v);
    }
    if (At(p, end, Tag(5, kVarint)) && !ReadVarint(++p, end, &f.count)) return Step::kFail;
    if (At(p, end, Tag(6, kFixed64)) && !ReadFixed64(++p, end, &f.sum)) return Step::kFail;
    if (At(p, end, Tag(7, kFixed64)) && !ReadFixed64(++p, end, &f.min)) return Step::kFail;
    if (At(p, end, Tag(8, kFixed64)) && !ReadFixed64(++p, end, &f.max)) return Step::kFail;
    if (At(p, end, Tag(9, kFixed64)) && !ReadFixed64(++p, end, &f.last)) return Step::kFail;
    if (At(p, end, Tag(10, kVarint))) {
      if (!ReadVarint(++p, end, &v)) return Step::kFail;
      f.last_timestamp_ms = static_cast<int64_t>(v);
    }
    if (At(p, end, Tag(11, kFixed64)) && !ReadFixed64(++p, end, &f.sum_squares)) {
      return Step::kFail;
    }
    while (At(p, end, Tag(12, kLengthDelimited))) {
      if (!ReadLength(++p, end, &n) || !Instance(p, p + n, depth - 1)) return Step::kFail;
      p += n;
    }
    while (p < end) {
      const uint8_t* field = p;
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return Step::kFail;
      const Step step = FigureField(tag, p, end, depth, f);
      if (step == Step::kOk) continue;
      if (step == Step::kIdentity) p = field;
      return step;
    }
    return Step::kOk;
  }

  // One field of a series other than scope, metric and labels (kIdentity
  // for those).
  [[gnu::always_inline]] Step FigureField(uint32_t tag, const uint8_t*& p, const uint8_t* end,
                                          int depth, Figures& f) {
    uint64_t v = 0;
    size_t n = 0;
    bool ok;
    switch (tag) {
      case Tag(4, kVarint):
        ok = ReadVarint(p, end, &v);
        f.kind = Enum(v);
        break;
      case Tag(5, kVarint):
        ok = ReadVarint(p, end, &f.count);
        break;
      case Tag(6, kFixed64):
        ok = ReadFixed64(p, end, &f.sum);
        break;
      case Tag(7, kFixed64):
        ok = ReadFixed64(p, end, &f.min);
        break;
      case Tag(8, kFixed64):
        ok = ReadFixed64(p, end, &f.max);
        break;
      case Tag(9, kFixed64):
        ok = ReadFixed64(p, end, &f.last);
        break;
      case Tag(10, kVarint):
        ok = ReadVarint(p, end, &v);
        f.last_timestamp_ms = static_cast<int64_t>(v);
        break;
      case Tag(11, kFixed64):
        ok = ReadFixed64(p, end, &f.sum_squares);
        break;
      case Tag(12, kLengthDelimited):
        ok = ReadLength(p, end, &n) && Instance(p, p + n, depth - 1);
        p += n;
        break;
      case Tag(13, kLengthDelimited): {
        QuantileRef& q = d_.quantiles_.emplace_back();
        ok = ReadLength(p, end, &n) && DoubleEntry(p, p + n, depth - 1, &q.quantile, &q.value);
        p += n;
        break;
      }
      case Tag(14, kVarint):
        ok = ReadVarint(p, end, &f.baselined);
        break;
      default:
        if (tag >> 3 >= 1 && tag >> 3 <= 3) return Step::kIdentity;
        ok = SkipField(tag, p, end, depth);
    }
    return ok ? Step::kOk : Step::kFail;
  }

  // map<string, string> entry.
  static bool StringEntry(const uint8_t* p, const uint8_t* end, int depth, std::string_view* key,
                          std::string_view* value) {
    if (depth < 0) return false;
    *key = {};
    *value = {};
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return false;
      if (tag == Tag(1, kLengthDelimited)) {
        if (!ReadString(p, end, key)) return false;
      } else if (tag == Tag(2, kLengthDelimited)) {
        if (!ReadString(p, end, value)) return false;
      } else if (!SkipField(tag, p, end, depth)) {
        return false;
      }
    }
    return true;
  }

  // map<string, double> entry.
  static bool DoubleEntry(const uint8_t* p, const uint8_t* end, int depth, std::string_view* key,
                          double* value) {
    if (depth < 0) return false;
    *key = {};
    *value = 0;
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return false;
      if (tag == Tag(1, kLengthDelimited)) {
        if (!ReadString(p, end, key)) return false;
      } else if (tag == Tag(2, kFixed64)) {
        if (!ReadFixed64(p, end, value)) return false;
      } else if (!SkipField(tag, p, end, depth)) {
        return false;
      }
    }
    return true;
  }

  bool Instance(const uint8_t* p, const uint8_t* end, int depth) {
    if (depth < 0) return false;
    InstanceRef& i = d_.instances_.emplace_back();
    while (p < end) {
      uint32_t tag;
      if (!ReadTag(p, end, &tag)) return false;
      if (tag == Tag(1, kLengthDelimited)) {
        if (!ReadString(p, end, &i.instance)) return false;
      } else if (tag == Tag(2, kFixed64)) {
        if (!ReadFixed64(p, end, &i.value)) return false;
      } else if (!SkipField(tag, p, end, depth)) {
        return false;
      }
    }
    return true;
  }

  BatchDecoder& d_;
};

SeriesView& BatchDecoder::NewSeries() {
  if (series_size_ == series_.size()) series_.resize(std::max<size_t>(64, 2 * series_.size()));
  return series_[series_size_++];
}

void BatchDecoder::ClearSeries() {
  series_size_ = 0;
  ranges_.clear();
  labels_.clear();
  instances_.clear();
  quantiles_.clear();
}

void BatchDecoder::Clear() {
  header_ = BatchHeader();
  header_ok_ = false;
  spans_.clear();
  job_labels_.clear();
  ClearSeries();
}

void BatchDecoder::Bind() {
  header_.job_labels = job_labels_;
  for (size_t i = 0; i < series_size_; ++i) {
    const Ranges& r = ranges_[i];
    SeriesView& s = series_[i];
    s.labels =
        std::span<const LabelRef>(labels_).subspan(r.labels_begin, r.labels_end - r.labels_begin);
    s.instances = std::span<const InstanceRef>(instances_)
                      .subspan(r.instances_begin, r.instances_end - r.instances_begin);
    s.quantile_max = std::span<const QuantileRef>(quantiles_)
                         .subspan(r.quantiles_begin, r.quantiles_end - r.quantiles_begin);
  }
}

bool BatchDecoder::DecodeHeader(std::string_view bytes) {
  Clear();
  if (bytes.size() > INT_MAX) return false;  // protobuf parses at most 2 GiB
  auto p = reinterpret_cast<const uint8_t*>(bytes.data());
  WireParser parser(*this);
  if (!parser.Batch(p, p + bytes.size())) {
    Clear();
    return false;
  }
  header_.job_labels = job_labels_;
  header_ok_ = true;
  return true;
}

bool BatchDecoder::DecodeSeries(SeriesResolver* resolver) {
  ClearSeries();
  if (!header_ok_) return false;
  WireParser parser(*this);
  if (resolver != nullptr) resolver->BeginBatch();
  for (std::string_view bytes : spans_) {
    if (!parser.Series(bytes, resolver)) {
      ClearSeries();
      return false;
    }
  }
  Bind();
  return true;
}

bool BatchDecoder::Decode(std::string_view bytes) {
  if (DecodeHeader(bytes) && DecodeSeries(nullptr)) return true;
  Clear();
  return false;
}

void BatchDecoder::Load(const v1::MetricBatch& batch) {
  Clear();
  BatchHeader& h = header_;
  h.gateway = batch.gateway();
  h.cluster = batch.cluster();
  h.interval_start_ms = batch.interval_start_ms();
  h.interval_length_ms = batch.interval_length_ms();
  h.job_id = batch.job_id();
  h.job_name = batch.job_name();
  h.tenant = batch.tenant();
  h.part = batch.part();
  h.parts = batch.parts();
  h.processes = batch.processes();
  h.shared_processes = batch.shared_processes();
  h.max_jobs_per_process = batch.max_jobs_per_process();
  for (const auto& [name, value] : batch.job_labels()) job_labels_.push_back({name, value});
  for (const v1::SeriesAggregate& in : batch.series()) {
    SeriesView& s = NewSeries();
    s.slot = SeriesResolver::kNoSlot;
    Ranges& r = ranges_.emplace_back();
    s.scope = in.scope();
    s.metric = in.metric();
    s.kind = in.kind();
    s.count = in.count();
    s.sum = in.sum();
    s.min = in.min();
    s.max = in.max();
    s.last = in.last();
    s.last_timestamp_ms = in.last_timestamp_ms();
    s.sum_squares = in.sum_squares();
    s.baselined = in.baselined();
    r.labels_begin = static_cast<uint32_t>(labels_.size());
    for (const auto& [name, value] : in.labels()) labels_.push_back({name, value});
    r.labels_end = static_cast<uint32_t>(labels_.size());
    r.instances_begin = static_cast<uint32_t>(instances_.size());
    for (const v1::InstanceValue& iv : in.instances()) {
      instances_.push_back({iv.instance(), iv.value()});
    }
    r.instances_end = static_cast<uint32_t>(instances_.size());
    r.quantiles_begin = static_cast<uint32_t>(quantiles_.size());
    for (const auto& [quantile, value] : in.quantile_max()) {
      quantiles_.push_back({quantile, value});
    }
    r.quantiles_end = static_cast<uint32_t>(quantiles_.size());
  }
  Bind();
}

void BatchDecoder::ToMessage(v1::MetricBatch* out) const {
  out->Clear();
  const BatchHeader& h = header_;
  out->set_gateway(std::string(h.gateway));
  out->set_cluster(std::string(h.cluster));
  out->set_interval_start_ms(h.interval_start_ms);
  out->set_interval_length_ms(h.interval_length_ms);
  out->set_job_id(std::string(h.job_id));
  out->set_job_name(std::string(h.job_name));
  out->set_tenant(std::string(h.tenant));
  out->set_part(h.part);
  out->set_parts(h.parts);
  out->set_processes(h.processes);
  out->set_shared_processes(h.shared_processes);
  out->set_max_jobs_per_process(h.max_jobs_per_process);
  for (const LabelRef& l : h.job_labels) {
    (*out->mutable_job_labels())[std::string(l.name)] = std::string(l.value);
  }
  for (const SeriesView& s : series()) {
    v1::SeriesAggregate* m = out->add_series();
    m->set_scope(static_cast<v1::Scope>(s.scope));
    m->set_metric(std::string(s.metric));
    for (const LabelRef& l : s.labels) {
      (*m->mutable_labels())[std::string(l.name)] = std::string(l.value);
    }
    m->set_kind(static_cast<v1::MetricKind>(s.kind));
    m->set_count(s.count);
    m->set_sum(s.sum);
    m->set_min(s.min);
    m->set_max(s.max);
    m->set_last(s.last);
    m->set_last_timestamp_ms(s.last_timestamp_ms);
    m->set_sum_squares(s.sum_squares);
    for (const InstanceRef& i : s.instances) {
      v1::InstanceValue* iv = m->add_instances();
      iv->set_instance(std::string(i.instance));
      iv->set_value(i.value);
    }
    for (const QuantileRef& q : s.quantile_max) {
      (*m->mutable_quantile_max())[std::string(q.quantile)] = q.value;
    }
    m->set_baselined(s.baselined);
  }
}

}  // namespace vitals::scorer
