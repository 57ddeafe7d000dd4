#include "embed.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "../common/fault_guard.h"
#include "../formats/parts.h"
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
void embedWindow(const T* t, uint64_t a, uint64_t b, bool useSep, T sv, const EmbedConfig& cfg, std::vector<double>& v) {
  // Each token adds a seeded +-1 vector; count the +1 bits per coordinate in
  // integers (vectorisable) and convert once: v_j = 2 * ones_j - tokens.
  std::vector<uint32_t> ones(cfg.dims + 64, 0);
  const uint64_t salt = splitmix(cfg.seed ^ 0x5EEDBA5E);
  uint64_t used = 0;
  for (uint64_t i = a; i < b; ++i) {
    if (useSep && t[i] == sv) continue;
    ++used;
    uint64_t x = t[i];
    for (uint32_t j = 0; j < cfg.dims; j += 64) {
      uint64_t bits = splitmix(salt ^ (x * 0x100000001B3ULL) ^ (static_cast<uint64_t>(j) << 40));
      uint32_t* o = ones.data() + j;
      for (uint32_t k = 0; k < 64; ++k) o[k] += static_cast<uint32_t>((bits >> k) & 1);
    }
  }
  v.assign(cfg.dims, 0.0);
  const double len = static_cast<double>(used);
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
                  std::vector<EmbeddedWindow>& out) {
  out.clear();
  const uint64_t w = cfg.window;
  if (src.tokens < w) return Status::Ok();
  const T* t = reinterpret_cast<const T*>(src.tokenBytes());
  const int64_t sep = src.separator;
  const bool useSep = sep >= 0 && static_cast<int64_t>(static_cast<T>(sep)) == sep;
  const T sv = useSep ? static_cast<T>(sep) : T(0);
  const uint64_t fileHash = pathHash(baseName(src.path));
  // Bottom-k over window starts: a max-heap of (hash, start) holding the k smallest hashes.
  std::priority_queue<std::pair<uint64_t, uint64_t>> heap;
  const uint64_t last = std::min<uint64_t>(end, src.tokens - w + 1);
  CancelPoll poll(cfg.cancel, 1 << 14);
  for (uint64_t p = begin; p < last; ++p) {
    if (poll.stop()) return interruptedStatus();
    uint64_t h = documentHash(cfg.seed ^ 0xE3BEDULL, fileHash, p);
    if (heap.size() >= cfg.maxSamples && h >= heap.top().first) continue;
    heap.emplace(h, p);
    if (heap.size() > cfg.maxSamples) heap.pop();
  }
  while (!heap.empty()) {
    EmbeddedWindow d{heap.top().first, {}};
    embedWindow(t, heap.top().second, heap.top().second + w, useSep, sv, cfg, d.vector);
    out.push_back(std::move(d));
    heap.pop();
  }
  std::reverse(out.begin(), out.end());
  return Status::Ok();
}

// One contiguous run of tokens.
Status embedParts(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedWindow>& out) {
  switch (src.width()) {
    case 1: return embedTyped<uint8_t>(src, begin, end, cfg, out);
    case 2: return embedTyped<uint16_t>(src, begin, end, cfg, out);
    default: return embedTyped<uint32_t>(src, begin, end, cfg, out);
  }
}

}  // namespace

Status embedChunk(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedWindow>& out) {
  if (cfg.dims < 1 || cfg.dims > 4096) return Status::Error(ec::E_USAGE, "", -1, "embedding dims must be 1..4096");
  if (cfg.maxSamples < 1) return Status::Error(ec::E_USAGE, "", -1, "maxSamples must be positive");
  if (cfg.window < 1) return Status::Error(ec::E_USAGE, "", -1, "window must be positive");
  if (begin > end || end > src.tokens) return Status::Error(ec::E_USAGE, src.path, -1, "range outside the file");
  auto embed = [&]() -> Status {
    if (src.parts.empty()) return embedParts(src, begin, end, cfg, out);
    // A source in several runs (Arrow record batches): windows lie inside one run, so
    // one crossing a run boundary is never drawn, whatever the chunking. Bottom-k of
    // each run's windows, then of their union.
    std::vector<EmbeddedWindow> all, one;
    std::vector<uint32_t> scratch;
    for (const TokenSource& part : src.parts) {
      const uint64_t b = std::max(begin, part.first), e = std::min(end, part.tokens);
      if (b >= e) continue;
      if (part.dtype != DType::I64) {
        BIMIX_TRY(embedParts(part, b, e, cfg, one));
      } else {
        // 64-bit ids are narrowed for the windows that start in [b, e).
        const uint64_t hi = std::min<uint64_t>(part.tokens, e + cfg.window - 1);
        TokenSource view;
        BIMIX_TRY(narrowPart(part, b, hi, 1ULL << 32, 0, scratch, view));
        view.tokens = hi;
        BIMIX_TRY(embedParts(view, b, e, cfg, one));
      }
      for (auto& d : one) all.push_back(std::move(d));
    }
    std::sort(all.begin(), all.end(), [](const EmbeddedWindow& x, const EmbeddedWindow& y) { return x.hash < y.hash; });
    if (all.size() > cfg.maxSamples) all.resize(cfg.maxSamples);
    out = std::move(all);
    return Status::Ok();
  };
  BIMIX_TRY(guardMappedRead(src.path, embed));
  return src.data.checkUnchanged();
}

}  // namespace bimix
