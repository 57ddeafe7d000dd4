#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace bimix {

namespace {

template <typename T, typename K, int Shift>
size_t packKeys(const T* t, size_t n, int64_t sep, K* out) {
  size_t k = 0;
  if (sep < 0) {
    for (size_t i = 0; i < n; ++i) out[i] = (static_cast<K>(t[i]) << Shift) | static_cast<K>(t[i + 1]);
    return n;
  }
  const T s = static_cast<T>(sep);
  if (static_cast<int64_t>(s) != sep) {  // separator not representable: nothing to skip
    for (size_t i = 0; i < n; ++i) out[i] = (static_cast<K>(t[i]) << Shift) | static_cast<K>(t[i + 1]);
    return n;
  }
  for (size_t i = 0; i < n; ++i) {
    out[k] = (static_cast<K>(t[i]) << Shift) | static_cast<K>(t[i + 1]);
    k += static_cast<size_t>((t[i] != s) & (t[i + 1] != s));
  }
  return k;
}

template <typename T>
uint32_t maxOf(const T* t, size_t n) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; ++i) m = t[i] > m ? t[i] : m;
  return m;
}

template <typename T>
size_t findSep(const T* t, size_t n, uint32_t sep, uint32_t* out) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    out[k] = static_cast<uint32_t>(i);
    k += static_cast<size_t>(t[i] == sep);
  }
  return k;
}

template <typename T>
uint64_t sumOf(const T* t, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; ++i) s += t[i];
  return s;
}

}  // namespace

const Kernels kScalarKernels = {
    "scalar",
    packKeys<uint16_t, uint32_t, 16>,
    packKeys<uint8_t, uint32_t, 16>,
    packKeys<uint32_t, uint64_t, 32>,
    maxOf<uint8_t>,
    maxOf<uint16_t>,
    maxOf<uint32_t>,
    findSep<uint8_t>,
    findSep<uint16_t>,
    findSep<uint32_t>,
    sumOf<uint8_t>,
    sumOf<uint16_t>,
    sumOf<uint32_t>,
};

const Kernels* selectKernels(const std::string& requested) {
  std::string name = requested;
  if (name.empty() || name == "auto") {
    const char* env = std::getenv("BIMIX_SIMD");
    name = env != nullptr && *env != '\0' ? env : "auto";
  }
  if (name == "scalar") return &kScalarKernels;
  if (name == "avx2") return avx2Kernels();
  if (name == "auto") {
    const Kernels* k = avx2Kernels();
    return k != nullptr ? k : &kScalarKernels;
  }
  return nullptr;
}

std::string availableKernels() { return avx2Kernels() != nullptr ? "scalar,avx2" : "scalar"; }

}  // namespace bimix
