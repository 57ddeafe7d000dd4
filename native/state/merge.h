// k-way merge of the sorted bigram streams of several partial-state files, and
// the exact reduction of merged counts to what entropies need.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../common/cancel.h"
#include "partial_file.h"

namespace bimix {

class BigramMerger {
 public:
  explicit BigramMerger(const std::vector<const PartialReader*>& readers);
  // Next distinct key in ascending order with its summed count.
  bool next(uint64_t& key, uint64_t& count);
  // False when some input stream turned out corrupt; `bad` names it.
  bool ok(std::string& bad) const;

 private:
  struct Head {
    uint64_t key;
    uint64_t count;
    size_t source;
  };
  void push(size_t i);
  std::vector<PartialReader::BigramCursor> cursors_;
  std::vector<const PartialReader*> readers_;
  std::vector<Head> heap_;
  bool ok_ = true;
  std::string bad_;
};

// Counts of counts: how many distinct items occurred exactly c times. An exact,
// order-free summary from which every plug-in entropy follows deterministically.
class CountHistogram {
 public:
  void add(uint64_t count, uint64_t times = 1) {
    if (count < kDense) {
      if (dense_.size() <= count) dense_.resize(count + 1, 0);
      dense_[count] += times;
    } else {
      sparse_[count] += times;
    }
  }
  // Adds every (count, multiplicity) of `other`.
  void addAll(const CountHistogram& other) {
    for (uint64_t c = 1; c < other.dense_.size(); ++c)
      if (other.dense_[c] != 0) add(c, other.dense_[c]);
    for (const auto& kv : other.sparse_) add(kv.first, kv.second);
  }
  // (count, multiplicity) pairs, ascending by count.
  std::vector<std::pair<uint64_t, uint64_t>> pairs() const;

 private:
  static constexpr uint64_t kDense = 1 << 16;
  std::vector<uint64_t> dense_;
  std::map<uint64_t, uint64_t> sparse_;
};

struct Reduction {
  uint64_t tokens = 0, documents = 0, separators = 0;
  bool unigramsOnly = false;
  bool grouped = false;
  uint64_t bigramTotal = 0, bigramDistinct = 0;
  uint64_t unigramDistinct = 0, leftDistinct = 0;
  uint64_t unigramTotal = 0, leftTotal = 0;  // set by finishReduction
  int64_t maxId = -1;                         // largest id counted (separators excluded), -1 if none; set by finishReduction
  CountHistogram unigramHist, leftHist, bigramHist;
  std::vector<uint64_t> unigrams;  // dense unigram counts
  std::vector<uint64_t> docFinal;  // dense document-final counts
};

// Derives the unigram and left-marginal histograms from the dense counts (when
// `histograms`) and checks that the totals agree; `where` names the source in errors.
Status finishReduction(Reduction& r, const std::string& where, bool histograms, bool checkTotals = true);

// Validates every input first (refusing a bad one by name), then merges them:
// into `outPath` as one partial-state file when it is not empty, and into `red`
// when it is not null.
// Stops with E_INTERRUPTED (abandoning the output) when `cancel` is set.
Status mergePartials(const std::vector<std::string>& inputs, const std::string& outPath, const std::string& meta,
                     Reduction* red, CancelToken cancel = {});

}  // namespace bimix
