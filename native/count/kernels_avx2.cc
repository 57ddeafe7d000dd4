// AVX2 twins of the scalar kernels. Compiled with per-function target attributes;
// only reached after __builtin_cpu_supports("avx2") said yes.
#include "kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace bimix {

namespace {

#define BIMIX_AVX2 __attribute__((target("avx2")))

BIMIX_AVX2 size_t packKeys16Avx2(const uint16_t* t, size_t n, int64_t sep, uint32_t* out) {
  const bool filter = sep >= 0 && sep <= 0xFFFF;
  const __m256i vs = _mm256_set1_epi16(static_cast<short>(filter ? sep : 0));
  size_t i = 0, k = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i + 1));
    if (filter) {
      __m256i hit = _mm256_or_si256(_mm256_cmpeq_epi16(a, vs), _mm256_cmpeq_epi16(b, vs));
      if (!_mm256_testz_si256(hit, hit)) {
        const uint16_t s = static_cast<uint16_t>(sep);
        for (size_t j = i; j < i + 16; ++j) {
          out[k] = (static_cast<uint32_t>(t[j]) << 16) | t[j + 1];
          k += static_cast<size_t>((t[j] != s) & (t[j + 1] != s));
        }
        continue;
      }
    }
    // Little-endian 32-bit lanes of unpack(b, a) are b | a << 16 = left << 16 | right.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k), _mm256_unpacklo_epi16(b, a));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k + 8), _mm256_unpackhi_epi16(b, a));
    k += 16;
  }
  k += kScalarKernels.packKeys16(t + i, n - i, sep, out + k);
  return k;
}

BIMIX_AVX2 size_t packKeys32Avx2(const uint32_t* t, size_t n, int64_t sep, uint64_t* out) {
  const bool filter = sep >= 0 && sep <= 0xFFFFFFFFLL;
  const __m256i vs = _mm256_set1_epi32(static_cast<int>(filter ? sep : 0));
  size_t i = 0, k = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i + 1));
    if (filter) {
      __m256i hit = _mm256_or_si256(_mm256_cmpeq_epi32(a, vs), _mm256_cmpeq_epi32(b, vs));
      if (!_mm256_testz_si256(hit, hit)) {
        const uint32_t s = static_cast<uint32_t>(sep);
        for (size_t j = i; j < i + 8; ++j) {
          out[k] = (static_cast<uint64_t>(t[j]) << 32) | t[j + 1];
          k += static_cast<size_t>((t[j] != s) & (t[j + 1] != s));
        }
        continue;
      }
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k), _mm256_unpacklo_epi32(b, a));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + k + 4), _mm256_unpackhi_epi32(b, a));
    k += 8;
  }
  k += kScalarKernels.packKeys32(t + i, n - i, sep, out + k);
  return k;
}

BIMIX_AVX2 uint32_t max16Avx2(const uint16_t* t, size_t n) {
  __m256i m = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) m = _mm256_max_epu16(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)));
  alignas(32) uint16_t lanes[16];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m);
  uint32_t r = kScalarKernels.max16(t + i, n - i);
  for (uint16_t v : lanes) r = v > r ? v : r;
  return r;
}

BIMIX_AVX2 uint32_t max32Avx2(const uint32_t* t, size_t n) {
  __m256i m = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) m = _mm256_max_epu32(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)));
  alignas(32) uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m);
  uint32_t r = kScalarKernels.max32(t + i, n - i);
  for (uint32_t v : lanes) r = v > r ? v : r;
  return r;
}

BIMIX_AVX2 uint32_t max8Avx2(const uint8_t* t, size_t n) {
  __m256i m = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) m = _mm256_max_epu8(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)));
  alignas(32) uint8_t lanes[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), m);
  uint32_t r = kScalarKernels.max8(t + i, n - i);
  for (uint8_t v : lanes) r = v > r ? v : r;
  return r;
}

BIMIX_AVX2 size_t findSep16Avx2(const uint16_t* t, size_t n, uint32_t sep, uint32_t* out) {
  if (sep > 0xFFFF) return 0;
  const __m256i vs = _mm256_set1_epi16(static_cast<short>(sep));
  size_t i = 0, k = 0;
  for (; i + 16 <= n; i += 16) {
    __m256i eq = _mm256_cmpeq_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)), vs);
    uint32_t mask = static_cast<uint32_t>(_mm256_movemask_epi8(eq));
    while (mask != 0) {
      uint32_t bit = static_cast<uint32_t>(__builtin_ctz(mask));
      out[k++] = static_cast<uint32_t>(i + bit / 2);
      mask &= ~(3u << bit);
    }
  }
  size_t tail = kScalarKernels.findSep16(t + i, n - i, sep, out + k);
  for (size_t j = 0; j < tail; ++j) out[k + j] += static_cast<uint32_t>(i);
  return k + tail;
}

BIMIX_AVX2 size_t findSep32Avx2(const uint32_t* t, size_t n, uint32_t sep, uint32_t* out) {
  const __m256i vs = _mm256_set1_epi32(static_cast<int>(sep));
  size_t i = 0, k = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i eq = _mm256_cmpeq_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)), vs);
    uint32_t mask = static_cast<uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(eq)));
    while (mask != 0) {
      uint32_t bit = static_cast<uint32_t>(__builtin_ctz(mask));
      out[k++] = static_cast<uint32_t>(i + bit);
      mask &= mask - 1;
    }
  }
  size_t tail = kScalarKernels.findSep32(t + i, n - i, sep, out + k);
  for (size_t j = 0; j < tail; ++j) out[k + j] += static_cast<uint32_t>(i);
  return k + tail;
}

BIMIX_AVX2 uint64_t sum16Avx2(const uint16_t* t, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  const __m256i ones = _mm256_set1_epi16(1);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // madd widens pairs of u16 to i32 sums; tokens < 2^16 so pairs < 2^17: no overflow per step.
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i));
    __m256i lo = _mm256_unpacklo_epi16(v, _mm256_setzero_si256());
    __m256i hi = _mm256_unpackhi_epi16(v, _mm256_setzero_si256());
    __m256i s32 = _mm256_add_epi32(lo, hi);
    acc = _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(s32)),
                                                 _mm256_cvtepu32_epi64(_mm256_extracti128_si256(s32, 1))));
    (void)ones;
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + kScalarKernels.sum16(t + i, n - i);
}

BIMIX_AVX2 uint64_t sum32Avx2(const uint32_t* t, size_t n) {
  __m256i acc = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i));
    acc = _mm256_add_epi64(acc, _mm256_add_epi64(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(v)),
                                                 _mm256_cvtepu32_epi64(_mm256_extracti128_si256(v, 1))));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + kScalarKernels.sum32(t + i, n - i);
}

const Kernels kAvx2Kernels = {
    "avx2",
    packKeys16Avx2,
    kScalarKernels.packKeys8,
    packKeys32Avx2,
    max8Avx2,
    max16Avx2,
    max32Avx2,
    kScalarKernels.findSep8,
    findSep16Avx2,
    findSep32Avx2,
    kScalarKernels.sum8,
    sum16Avx2,
    sum32Avx2,
};

}  // namespace

const Kernels* avx2Kernels() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok ? &kAvx2Kernels : nullptr;
}

}  // namespace bimix

#else

namespace bimix {
const Kernels* avx2Kernels() { return nullptr; }
}  // namespace bimix

#endif
