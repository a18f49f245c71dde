#pragma once

// Byte classes of the text formats' grammar and the scans built on them.
// Everything here runs once per body byte, so it stays in this header to be
// inlined into the grammar loops. Internal to the promtext parser.

#include <array>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vitals::gateway::promtext_internal {

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
inline constexpr std::array<uint8_t, 256> kBytes = MakeByteClasses();

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

}  // namespace vitals::gateway::promtext_internal
