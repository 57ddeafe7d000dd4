// Reduction of sampled-mode (grouped) partial states to the count histograms of
// nested subsamples, each whole and with one group of documents left out.
//
// A grouped key's low byte is level * groups + group. A document of level k
// belongs to the subsamples of levels 0..k: level j keeps the documents whose
// sampling hash falls under the j-th (nested, shrinking) rate, so one pass over
// the corpus yields the sample at several fractions. Leaving out one of the
// `groups` random groups at a time gives the delete-a-group jackknife.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../common/cancel.h"
#include "../common/status.h"

namespace bimix {

// Counts of counts, ascending by count: (count, number of distinct items with it).
using CountPairs = std::vector<std::pair<uint64_t, uint64_t>>;

// One subsample: histograms of unigram, left-marginal and bigram counts, and documents.
struct SubsampleCounts {
  uint32_t level = 0;
  int32_t omitted = -1;  // the group left out, -1 for none
  CountPairs unigram, left, bigram;
  uint64_t documents = 0;
};

// Rows in order: for each level j, the whole subsample, then (for j >= jackknifeFrom)
// the subsample without group d for d = 0..groups-1.
Status reduceGrouped(const std::vector<std::string>& inputs, uint32_t groups, uint32_t levels, uint32_t jackknifeFrom,
                     std::vector<SubsampleCounts>& out, CancelToken cancel = {});

}  // namespace bimix
