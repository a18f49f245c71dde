#pragma once

// Base-128 varints, protobuf's encoding of unsigned numbers: seven bits a
// byte, least significant first, the high bit set on every byte but the
// last. Header-only, for the compact encodings of keys and held text.

#include <cstdint>
#include <string>

namespace vitals {

// Writes `n` at `p`, which has room for 10 bytes; returns the end.
inline char* PutVarint(char* p, uint64_t n) {
  if (n < 0x80) [[likely]] {
    *p++ = static_cast<char>(n);
    return p;
  }
  while (n >= 0x80) {
    *p++ = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

inline void AppendVarint(std::string& out, uint64_t n) {
  char buffer[10];
  out.append(buffer, PutVarint(buffer, n));
}

// Reads one number at `p`, moving `p` past it; false (and `p` anywhere up
// to `end`) when the bytes end first or the number runs past 64 bits.
inline bool ReadVarint(const char*& p, const char* end, uint64_t* n) {
  *n = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const auto byte = static_cast<unsigned char>(*p++);
    *n |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace vitals
