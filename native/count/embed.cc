#include "embed.h"

#include "../formats/parts.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "../common/fault_guard.h"
#include "accumulator.h"

namespace bimix {

namespace {

uint64_t splitmix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

template <typename T>
void embedDocument(const T* t, uint64_t a, uint64_t b, const EmbedConfig& cfg, std::vector<double>& v) {
  // Each token adds a seeded +-1 vector; count the +1 bits per coordinate in
  // integers (vectorisable) and convert once: v_j = 2 * ones_j - tokens.
  std::vector<uint32_t> ones(cfg.dims + 64, 0);
  const uint64_t salt = splitmix(cfg.seed ^ 0x5EEDBA5E);
  for (uint64_t i = a; i < b; ++i) {
    uint64_t x = t[i];
    for (uint32_t j = 0; j < cfg.dims; j += 64) {
      uint64_t bits = splitmix(salt ^ (x * 0x100000001B3ULL) ^ (static_cast<uint64_t>(j) << 40));
      uint32_t* o = ones.data() + j;
      for (uint32_t k = 0; k < 64; ++k) o[k] += static_cast<uint32_t>((bits >> k) & 1);
    }
  }
  v.assign(cfg.dims, 0.0);
  const double len = static_cast<double>(b - a);
  double norm = 0;
  for (uint32_t j = 0; j < cfg.dims; ++j) {
    v[j] = 2.0 * ones[j] - len;
    norm += v[j] * v[j];
  }
  norm = std::sqrt(norm);
  if (norm > 0)
    for (double& x : v) x /= norm;
}

template <typename T>
Status embedTyped(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedDocument>& out) {
  const T* t = reinterpret_cast<const T*>(src.tokenBytes());
  const int64_t sep = src.separator;
  const bool useSep = sep >= 0 && static_cast<int64_t>(static_cast<T>(sep)) == sep;
  const T sv = useSep ? static_cast<T>(sep) : T(0);
  const uint64_t fileHash = pathHash(baseName(src.path));
  auto cmp = [](const EmbeddedDocument& x, const EmbeddedDocument& y) { return x.hash < y.hash; };
  std::priority_queue<EmbeddedDocument, std::vector<EmbeddedDocument>, decltype(cmp)> heap(cmp);
  auto consider = [&](uint64_t start, uint64_t docEnd) {
    uint64_t stop = start;
    while (stop < docEnd && !(useSep && t[stop] == sv)) ++stop;
    if (stop == start) return;
    uint64_t h = documentHash(cfg.seed ^ 0xE3BEDULL, fileHash, start);
    if (heap.size() >= cfg.maxDocuments && h >= heap.top().hash) return;
    EmbeddedDocument d{h, {}};
    embedDocument(t, start, stop, cfg, d.vector);
    heap.push(std::move(d));
    if (heap.size() > cfg.maxDocuments) heap.pop();
  };
  // Document starts in [begin, end): explicit starts, and tokens after a separator.
  const std::vector<uint64_t>* ends = src.hasDocEnds ? &src.docEnds : nullptr;
  auto docEndOf = [&](uint64_t pos) -> uint64_t {
    if (ends == nullptr) return src.tokens;
    return *std::upper_bound(ends->begin(), ends->end(), pos);
  };
  auto docStartOf = [&](uint64_t pos) -> uint64_t {
    if (ends == nullptr) return 0;
    auto it = std::upper_bound(ends->begin(), ends->end(), pos);
    return it == ends->begin() ? 0 : *(it - 1);
  };
  CancelPoll poll(cfg.cancel, 1 << 14);
  for (uint64_t i = begin; i < end; ++i) {
    if (poll.stop()) return interruptedStatus();
    uint64_t ds = docStartOf(i);
    bool starts = useSep ? (t[i] != sv && (i == ds || t[i - 1] == sv)) : (i == ds);
    if (starts) consider(i, docEndOf(i));
    if (!useSep && ends != nullptr) {
      // Jump to the next explicit document start.
      uint64_t next = docEndOf(i);
      if (next > i + 1) i = next - 1;
    }
  }
  out.clear();
  while (!heap.empty()) {
    out.push_back(heap.top());
    heap.pop();
  }
  std::reverse(out.begin(), out.end());
  return Status::Ok();
}

}  // namespace

Status embedChunk(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedDocument>& out) {
  if (cfg.dims < 1 || cfg.dims > 4096) return Status::Error(ec::E_USAGE, "", -1, "embedding dims must be 1..4096");
  if (cfg.maxDocuments < 1) return Status::Error(ec::E_USAGE, "", -1, "maxDocuments must be positive");
  if (begin > end || end > src.tokens) return Status::Error(ec::E_USAGE, src.path, -1, "range outside the file");
  auto embed = [&]() -> Status {
    if (!src.parts.empty()) {
      // Bottom-k of each part, then of their union.
      std::vector<EmbeddedDocument> all, one;
      BIMIX_TRY(forEachPart(src, begin, end, 1ULL << 32, 0, [&](const TokenSource& part, uint64_t b, uint64_t e) {
        BIMIX_TRY(embedChunk(part, b, e, cfg, one));
        for (auto& d : one) all.push_back(std::move(d));
        return Status::Ok();
      }));
      std::sort(all.begin(), all.end(), [](const EmbeddedDocument& x, const EmbeddedDocument& y) { return x.hash < y.hash; });
      if (all.size() > cfg.maxDocuments) all.resize(cfg.maxDocuments);
      out = std::move(all);
      return Status::Ok();
    }
    switch (src.width()) {
      case 1: return embedTyped<uint8_t>(src, begin, end, cfg, out);
      case 2: return embedTyped<uint16_t>(src, begin, end, cfg, out);
      default: return embedTyped<uint32_t>(src, begin, end, cfg, out);
    }
  };
  BIMIX_TRY(guardMappedRead(src.path, embed));
  return src.data.checkUnchanged();
}

}  // namespace bimix
