// The per-ISA kernels behind counting. Each table entry has a scalar reference in
// kernels_scalar.cc; kernels_avx2.cc holds AVX2 twins compiled with a per-function
// target attribute, so one binary runs everywhere. The table is chosen once from
// CPU features; BIMIX_SIMD (or the `simd` option) forces any variant.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace bimix {

struct Kernels {
  const char* name;
  // Packs the pairs (t[i], t[i+1]) for i in [0, n) into keys left << 16 | right,
  // skipping pairs that contain `sep` (when sep >= 0). Reads t[n]. Returns the
  // number of keys written to `out` (capacity n). Key order is unspecified.
  size_t (*packKeys16)(const uint16_t* t, size_t n, int64_t sep, uint32_t* out);
  size_t (*packKeys8)(const uint8_t* t, size_t n, int64_t sep, uint32_t* out);
  // The same for 32-bit tokens into keys left << 32 | right.
  size_t (*packKeys32)(const uint32_t* t, size_t n, int64_t sep, uint64_t* out);
  // Largest value of t[0..n), 0 when n == 0.
  uint32_t (*max8)(const uint8_t* t, size_t n);
  uint32_t (*max16)(const uint16_t* t, size_t n);
  uint32_t (*max32)(const uint32_t* t, size_t n);
  // Positions i in [0, n) with t[i] == sep, written to `out` (capacity n); returns how many.
  size_t (*findSep8)(const uint8_t* t, size_t n, uint32_t sep, uint32_t* out);
  size_t (*findSep16)(const uint16_t* t, size_t n, uint32_t sep, uint32_t* out);
  size_t (*findSep32)(const uint32_t* t, size_t n, uint32_t sep, uint32_t* out);
  // Sum of all tokens (the streaming limit: touches every byte and nothing else).
  uint64_t (*sum8)(const uint8_t* t, size_t n);
  uint64_t (*sum16)(const uint16_t* t, size_t n);
  uint64_t (*sum32)(const uint32_t* t, size_t n);
};

extern const Kernels kScalarKernels;
// Null on builds or CPUs without AVX2.
const Kernels* avx2Kernels();

// "auto" (best the CPU supports, unless BIMIX_SIMD says otherwise), "scalar" or
// "avx2". Returns null for an unknown or unsupported name.
const Kernels* selectKernels(const std::string& name);
// Names of the variants this CPU can run, best last.
std::string availableKernels();

}  // namespace bimix
