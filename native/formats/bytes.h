// Little-endian loads from unaligned bytes.
#pragma once
#include <cstdint>
#include <cstring>

namespace bimix {

template <typename T>
inline T loadLE(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;  // x86-64 and aarch64 Linux are little-endian
}

}  // namespace bimix
