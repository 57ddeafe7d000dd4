#include "grouped.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "merge.h"
#include "partial_file.h"

namespace bimix {

namespace {

// Counts of counts under construction: small counts in an array, the rest in a map.
class HistogramBuilder {
 public:
  void add(uint64_t c, int64_t delta) {
    if (c < kSmall) {
      if (small_.empty()) small_.assign(kSmall, 0);
      small_[c] += delta;
    } else {
      big_[c] += delta;
    }
  }
  // Adds this histogram to `into` (count -> multiplicity).
  void addTo(std::map<uint64_t, int64_t>& into) const {
    for (size_t c = 0; c < small_.size(); ++c)
      if (small_[c] != 0) into[c] += small_[c];
    for (const auto& kv : big_)
      if (kv.second != 0) into[kv.first] += kv.second;
  }

 private:
  static constexpr uint64_t kSmall = 4096;
  std::vector<int64_t> small_;
  std::unordered_map<uint64_t, int64_t> big_;
};

// A subsample's histograms: one builder per statistic.
struct RowBuilders {
  HistogramBuilder unigram, left, bigram;
};

CountPairs finish(const HistogramBuilder& whole, const HistogramBuilder* delta, const std::string& where, Status& st) {
  std::map<uint64_t, int64_t> m;
  whole.addTo(m);
  if (delta != nullptr) delta->addTo(m);
  CountPairs out;
  out.reserve(m.size());
  for (const auto& kv : m) {
    if (kv.second < 0 && st.ok()) st = Status::Error(ec::E_STATE, where, -1, "inconsistent grouped counts");
    if (kv.second > 0 && kv.first > 0) out.emplace_back(kv.first, static_cast<uint64_t>(kv.second));
  }
  return out;
}

}  // namespace

Status reduceGrouped(const std::vector<std::string>& inputs, uint32_t groups, uint32_t levels, uint32_t jackknifeFrom,
                     std::vector<SubsampleCounts>& out, CancelToken cancel) {
  if (groups < 1 || levels < 1 || static_cast<uint64_t>(groups) * levels > 256)
    return Status::Error(ec::E_USAGE, "", -1, "groups x levels must be 1..256");
  std::vector<std::unique_ptr<PartialReader>> readers;
  std::vector<const PartialReader*> raw;
  for (const std::string& p : inputs) {
    auto r = std::make_unique<PartialReader>();
    BIMIX_TRY(r->open(p));
    if ((r->counts().flags & kFlagGrouped) == 0)
      return Status::Error(ec::E_STATE, p, 12, "not a sampled-mode partial-state file");
    raw.push_back(r.get());
    readers.push_back(std::move(r));
  }
  const uint32_t G = groups, L = levels;
  const std::string where = inputs.empty() ? "" : inputs.front();
  // whole[j]: level j's subsample; omit[j * G + d]: the change when group d is left out.
  std::vector<RowBuilders> whole(L), omit(static_cast<size_t>(L) * G);
  std::vector<uint64_t> docs(static_cast<size_t>(L) * G, 0);
  // Per left token: unigram and left-marginal counts by (level, group).
  std::vector<uint64_t> uni(static_cast<size_t>(L) * G, 0), lft(static_cast<size_t>(L) * G, 0);
  std::vector<uint64_t> suffix(G);
  bool leftSeen = false;

  // Adds one item whose counts by (level, group) are `byId` to the statistic `pick`.
  auto addDense = [&](const std::vector<uint64_t>& byId, HistogramBuilder RowBuilders::*pick) {
    std::fill(suffix.begin(), suffix.end(), 0);
    uint64_t total = 0;
    for (uint32_t j = L; j-- > 0;) {
      for (uint32_t g = 0; g < G; ++g) {
        suffix[g] += byId[j * G + g];
        total += byId[j * G + g];
      }
      if (total == 0) continue;
      (whole[j].*pick).add(total, 1);
      if (j < jackknifeFrom) continue;
      for (uint32_t g = 0; g < G; ++g) {
        if (suffix[g] == 0) continue;
        HistogramBuilder& h = omit[j * G + g].*pick;
        h.add(total, -1);
        if (total > suffix[g]) h.add(total - suffix[g], 1);
      }
    }
  };
  auto flushLeft = [&]() {
    if (!leftSeen) return;
    addDense(uni, &RowBuilders::unigram);
    addDense(lft, &RowBuilders::left);
    std::fill(uni.begin(), uni.end(), 0);
    std::fill(lft.begin(), lft.end(), 0);
    leftSeen = false;
  };

  std::vector<std::pair<uint32_t, uint64_t>> cg;  // (id, count) of the current key
  std::vector<uint64_t> perGroup(G, 0);
  std::vector<uint32_t> touched;
  uint64_t curBase = ~0ULL, curLeft = ~0ULL;
  auto flushBase = [&]() {
    if (cg.empty()) return;
    const uint64_t left = curBase >> 32, right = curBase & 0xFFFFFFFFULL;
    if (left != curLeft) {
      flushLeft();
      curLeft = left;
    }
    leftSeen = true;
    for (const auto& e : cg) {
      uni[e.first] += e.second;
      if (right == kEndMarker) docs[e.first] += e.second;
      else lft[e.first] += e.second;
    }
    if (right != kEndMarker) {
      for (uint32_t j = 0; j < L; ++j) {
        uint64_t total = 0;
        for (const auto& e : cg)
          if (e.first / G >= j) total += e.second;
        if (total == 0) continue;
        whole[j].bigram.add(total, 1);
        if (j < jackknifeFrom) continue;
        for (const auto& e : cg) {
          if (e.first / G < j) continue;
          const uint32_t g = e.first % G;
          if (perGroup[g] == 0) touched.push_back(g);
          perGroup[g] += e.second;
        }
        for (uint32_t g : touched) {
          HistogramBuilder& h = omit[j * G + g].bigram;
          h.add(total, -1);
          if (total > perGroup[g]) h.add(total - perGroup[g], 1);
          perGroup[g] = 0;
        }
        touched.clear();
      }
    }
    cg.clear();
  };

  BigramMerger merger(raw);
  uint64_t key, count;
  // Each key costs O(groups) here, so poll more often than a plain merge.
  CancelPoll poll(cancel, 1 << 10);
  while (merger.next(key, count)) {
    if (poll.stop()) return interruptedStatus();
    const uint64_t base = key >> 8;
    const uint32_t id = static_cast<uint32_t>(key & 0xFF);
    if (id >= G * L)
      return Status::Error(ec::E_STATE, where, -1, "group id out of range (partials from another sampling configuration)");
    if (base != curBase) {
      flushBase();
      curBase = base;
    }
    cg.emplace_back(id, count);
  }
  flushBase();
  flushLeft();
  std::string bad;
  if (!merger.ok(bad)) return Status::Error(ec::E_STATE, bad, -1, "corrupt bigram section in partial-state file");

  out.clear();
  Status st;
  for (uint32_t j = 0; j < L; ++j) {
    uint64_t docsJ = 0;
    std::vector<uint64_t> docsG(G, 0);
    for (uint32_t k = j; k < L; ++k)
      for (uint32_t g = 0; g < G; ++g) {
        docsJ += docs[k * G + g];
        docsG[g] += docs[k * G + g];
      }
    const int32_t last = j >= jackknifeFrom ? static_cast<int32_t>(G) : 0;
    for (int32_t d = -1; d < last; ++d) {
      SubsampleCounts row;
      row.level = j;
      row.omitted = d;
      const RowBuilders* delta = d < 0 ? nullptr : &omit[j * G + static_cast<uint32_t>(d)];
      row.unigram = finish(whole[j].unigram, delta ? &delta->unigram : nullptr, where, st);
      row.left = finish(whole[j].left, delta ? &delta->left : nullptr, where, st);
      row.bigram = finish(whole[j].bigram, delta ? &delta->bigram : nullptr, where, st);
      row.documents = docsJ - (d < 0 ? 0 : docsG[static_cast<uint32_t>(d)]);
      out.push_back(std::move(row));
    }
  }
  return st;
}

}  // namespace bimix
