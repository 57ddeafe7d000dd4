// Reduction of sampled-mode (grouped) partial states to bootstrap replicates.
// Documents were tagged with one of G groups; replicate 0 weighs every group 1
// (the point estimate), replicate b >= 1 resamples the G groups with replacement.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../common/cancel.h"
#include "../common/status.h"

namespace bimix {

// Sums from which a plug-in / Miller-Madow entropy follows: total N, distinct K, sum c ln c.
// c ln c, tabulated for small counts (the bootstrap evaluates it per replicate).
double cLogC(uint64_t c);

struct EntropySums {
  uint64_t n = 0;
  uint64_t k = 0;
  double s = 0;
  void add(uint64_t c) {
    n += c;
    k += 1;
    s += cLogC(c);
  }
};

struct ReplicateSums {
  EntropySums unigram, left, bigram;
  uint64_t documents = 0;
};

// Group weights of replicate b (b = 0: all ones). Deterministic in (seed, b).
std::vector<uint32_t> replicateWeights(uint64_t seed, uint32_t b, uint32_t groups);

Status reduceGrouped(const std::vector<std::string>& inputs, uint32_t groups, uint32_t replicates, uint64_t seed,
                     std::vector<ReplicateSums>& out, CancelToken cancel = {});

}  // namespace bimix
