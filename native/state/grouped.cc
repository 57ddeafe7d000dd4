#include "grouped.h"

#include <memory>

#include "merge.h"
#include "partial_file.h"

namespace bimix {

double cLogC(uint64_t c) {
  static const std::vector<double> table = [] {
    std::vector<double> t(1 << 16);
    t[0] = 0;
    for (size_t i = 1; i < t.size(); ++i) t[i] = static_cast<double>(i) * std::log(static_cast<double>(i));
    return t;
  }();
  if (c < table.size()) return table[c];
  return static_cast<double>(c) * std::log(static_cast<double>(c));
}

std::vector<uint32_t> replicateWeights(uint64_t seed, uint32_t b, uint32_t groups) {
  std::vector<uint32_t> w(groups, b == 0 ? 1 : 0);
  if (b == 0) return w;
  uint64_t state = seed * 0x9E3779B97F4A7C15ULL + b;
  for (uint32_t i = 0; i < groups; ++i) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    w[(z >> 32) % groups] += 1;
  }
  return w;
}

Status reduceGrouped(const std::vector<std::string>& inputs, uint32_t groups, uint32_t replicates, uint64_t seed,
                     std::vector<ReplicateSums>& out, CancelToken cancel) {
  if (groups < 1 || groups > 255) return Status::Error(ec::E_USAGE, "", -1, "groups must be 1..255");
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
  const uint32_t B = replicates + 1;
  std::vector<std::vector<uint32_t>> w(B);
  for (uint32_t b = 0; b < B; ++b) w[b] = replicateWeights(seed, b, groups);
  out.assign(B, ReplicateSums());
  std::vector<uint64_t> leftAcc(B, 0), uniAcc(B, 0);
  std::vector<std::pair<uint32_t, uint64_t>> cg;  // nonzero (group, count) of the current key
  uint64_t curBase = ~0ULL, curLeft = ~0ULL;

  auto flushLeft = [&]() {
    for (uint32_t b = 0; b < B; ++b) {
      if (leftAcc[b] > 0) out[b].left.add(leftAcc[b]);
      if (uniAcc[b] > 0) out[b].unigram.add(uniAcc[b]);
      leftAcc[b] = uniAcc[b] = 0;
    }
  };
  auto flushBase = [&]() {
    if (cg.empty()) return;
    uint64_t left = curBase >> 32, right = curBase & 0xFFFFFFFFULL;
    if (left != curLeft) {
      if (curLeft != ~0ULL) flushLeft();
      curLeft = left;
    }
    for (uint32_t b = 0; b < B; ++b) {
      uint64_t c = 0;
      for (const auto& gc : cg) c += static_cast<uint64_t>(w[b][gc.first]) * gc.second;
      if (c == 0) continue;
      uniAcc[b] += c;
      if (right == kEndMarker) {
        out[b].documents += c;
      } else {
        out[b].bigram.add(c);
        leftAcc[b] += c;
      }
    }
    cg.clear();
  };
  BigramMerger merger(raw);
  uint64_t key, count;
  // Each key costs O(replicates) here, so poll more often than a plain merge.
  CancelPoll poll(cancel, 1 << 10);
  while (merger.next(key, count)) {
    if (poll.stop()) return interruptedStatus();
    uint64_t base = key >> 8;
    uint32_t g = static_cast<uint32_t>(key & 0xFF);
    if (g >= groups) return Status::Error(ec::E_STATE, inputs.empty() ? "" : inputs.front(), -1, "group id out of range");
    if (base != curBase) {
      flushBase();
      curBase = base;
    }
    cg.emplace_back(g, count);
  }
  flushBase();
  if (curLeft != ~0ULL) flushLeft();
  std::string bad;
  if (!merger.ok(bad)) return Status::Error(ec::E_STATE, bad, -1, "corrupt bigram section in partial-state file");
  return Status::Ok();
}

}  // namespace bimix
