#include "accumulator.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <system_error>
#include <thread>

#include "../common/fault_guard.h"
#include "../formats/parts.h"
#include "../state/merge.h"
#include "../state/partial_file.h"

namespace bimix {

namespace {

// BIMIX_PROFILE=1 prints where addNarrow's CPU time went (for the benchmark notes).
// (narrow tokens only; each worker thread prints its own totals when it ends).
struct PassClock {
  double ns[3] = {0, 0, 0};
  ~PassClock() {
    if (std::getenv("BIMIX_PROFILE") != nullptr && ns[0] + ns[1] + ns[2] > 0)
      std::fprintf(stderr, "bimix profile: histogram %.2fs scatter %.2fs aggregate %.2fs\n", ns[0] / 1e9, ns[1] / 1e9,
                   ns[2] / 1e9);
  }
};
thread_local PassClock gClock;
// The thread's CPU time: the passes' shares stay meaningful on a busy machine.
inline double nowNs() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

constexpr size_t kBlock = 4096;  // keys packed per step before scattering
// Tokens between two polls of the cancel flag in the counting passes (~1 ms of work).
constexpr uint64_t kPollTokens = 1 << 18;
// Batches at least this long size their partitions from the unigram counts' difference.
constexpr uint64_t kDeltaMinTokens = 1 << 18;
std::atomic<uint64_t> gSpillCounter{0};

// Separator positions are found in blocks of this many tokens, so the position buffer stays small
// (4 MB) and positions fit the kernels' 32-bit output whatever the chunk length.
constexpr uint64_t kSepBlock = 1 << 20;

// Calls f(j) for each position j in [s, u) with t[j] == sep, in order; returns how many.
template <typename T, typename F>
uint64_t forEachSeparator(const Kernels* k, const T* t, uint64_t s, uint64_t u, T sep, std::vector<uint32_t>& buf, F&& f) {
  if (buf.size() < std::min(u - s, kSepBlock)) buf.resize(std::min(u - s, kSepBlock));
  uint64_t total = 0;
  for (uint64_t b0 = s; b0 < u; b0 += kSepBlock) {
    const size_t n = static_cast<size_t>(std::min(u - b0, kSepBlock));
    size_t found;
    if (sizeof(T) == 1) found = k->findSep8(reinterpret_cast<const uint8_t*>(t + b0), n, static_cast<uint32_t>(sep), buf.data());
    else if (sizeof(T) == 2) found = k->findSep16(reinterpret_cast<const uint16_t*>(t + b0), n, static_cast<uint32_t>(sep), buf.data());
    else found = k->findSep32(reinterpret_cast<const uint32_t*>(t + b0), n, static_cast<uint32_t>(sep), buf.data());
    for (size_t i = 0; i < found; ++i) f(b0 + buf[i]);
    total += found;
  }
  return total;
}

// Calls f(s, u, ds, de) for each part [s, u) of [bs, be) that lies in one
// document [ds, de) (explicit boundaries only; separators are handled by f).
template <typename F>
void forEachSegment(const TokenSource& src, uint64_t bs, uint64_t be, F&& f) {
  if (!src.hasDocEnds) {
    f(bs, be, uint64_t{0}, src.tokens);
    return;
  }
  const auto& ends = src.docEnds;
  size_t k = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), bs) - ends.begin());
  for (; k < ends.size(); ++k) {
    uint64_t ds = k == 0 ? 0 : ends[k - 1];
    uint64_t de = ends[k];
    if (ds >= be) break;
    uint64_t s = std::max(bs, ds), u = std::min(be, de);
    if (s < u) f(s, u, ds, de);
  }
}

std::mutex gLayoutMutex;
std::map<std::string, std::weak_ptr<const PartitionLayout>> gLayouts;

}  // namespace

std::shared_ptr<const PartitionLayout> PartitionLayout::fromCounts(const uint64_t* counts) {
  auto layout = std::make_shared<PartitionLayout>();
  layout->partOf.resize(65536);
  uint64_t total = 0;
  for (uint32_t id = 0; id < 65536; ++id) total += counts[id];
  uint64_t cum = 0;
  for (uint32_t id = 0; id < 65536; ++id) {
    // Each id goes to the partition its share of the counts starts in; ids never
    // seen share their neighbours' partitions. No counts: equal id ranges.
    const uint64_t p = total == 0 ? id >> (16 - kPartitionBits)
                                  : static_cast<uint64_t>((static_cast<unsigned __int128>(cum) * kPartitions) / total);
    layout->partOf[id] = static_cast<uint16_t>(std::min<uint64_t>(p, kPartitions - 1));
    cum += counts[id];
  }
  return layout;
}

std::shared_ptr<const PartitionLayout> PartitionLayout::shared(const std::string& key, const uint64_t* counts) {
  std::lock_guard<std::mutex> lock(gLayoutMutex);
  for (auto it = gLayouts.begin(); it != gLayouts.end();) it = it->second.expired() ? gLayouts.erase(it) : std::next(it);
  auto it = gLayouts.find(key);
  if (it != gLayouts.end())
    if (auto held = it->second.lock()) return held;
  auto made = fromCounts(counts);
  gLayouts[key] = made;
  return made;
}

Accumulator::Accumulator(AccumulatorConfig cfg) : cfg_(std::move(cfg)) {}

Accumulator::~Accumulator() {
  for (const std::string& p : spillPaths_) ::unlink(p.c_str());
  leaveShared();
}

bool Accumulator::reserveScatter(size_t bytes) {
  const size_t before = scatter_.size();
  const bool ok = scatter_.reserve(bytes);
  if (shared_ != nullptr) shared_->scatterResized(static_cast<int64_t>(scatter_.size()) - static_cast<int64_t>(before));
  return ok;
}

void Accumulator::releaseScatter() {
  if (shared_ != nullptr) shared_->scatterResized(-static_cast<int64_t>(scatter_.size()));
  scatter_.release();
}

void Accumulator::leaveShared() {
  sharedInUse_ = false;
  if (shared_ == nullptr) return;
  releaseScatter();
  shared_->leave(cfg_.memoryBytes);
  shared_.reset();
}

Status Accumulator::init() {
  kernels_ = selectKernels(cfg_.simd);
  if (kernels_ == nullptr)
    return Status::Error(ec::E_USAGE, "", -1,
                         "SIMD variant '" + cfg_.simd + "' is unknown or unsupported here (available: " +
                             availableKernels() + ")");
  if (cfg_.memoryBytes < (8ULL << 20))
    return Status::Error(ec::E_USAGE, "", -1, "memory budget must be at least 8 MB");
  if (cfg_.groups > 0) {
    if (!(cfg_.sampleRate > 0.0 && cfg_.sampleRate <= 1.0)) return Status::Error(ec::E_USAGE, "", -1, "sample rate must be in (0, 1]");
    if (cfg_.groups > 255) return Status::Error(ec::E_USAGE, "", -1, "sample groups must be 1..255");
    if ((cfg_.nestedRates.size() + 1) * cfg_.groups > 256)
      return Status::Error(ec::E_USAGE, "", -1, "sample groups x (nested rates + 1) must be at most 256");
    double prev = cfg_.sampleRate;
    for (double r : cfg_.nestedRates) {
      if (!(r > 0.0 && r < prev)) return Status::Error(ec::E_USAGE, "", -1, "nested sample rates must descend below the sample rate");
      prev = r;
    }
    if (cfg_.unigramsOnly) return Status::Error(ec::E_USAGE, "", -1, "sampling does not combine with unigram-only counting");
  }
  // One domain's accumulators in this process share their 32-bit-key tables.
  if (shared_ == nullptr && !cfg_.layoutKey.empty() && cfg_.groups == 0 && !cfg_.unigramsOnly) {
    shared_ = SharedTables::forKey(cfg_.layoutKey, kPartitions);
    member_ = shared_->join(cfg_.memoryBytes);
  }
  // Large batches amortise streaming each partition's table through cache once
  // per batch (measured: 128M-token batches aggregate ~1.4x faster than 16M).
  batchTokens_ = cfg_.batchTokens != 0 ? cfg_.batchTokens
                                       : std::min<uint64_t>(128ULL << 20, std::max<uint64_t>(1 << 16, cfg_.memoryBytes / 32));
  return Status::Ok();
}

size_t Accumulator::tableBytes() const {
  size_t b = 0;
  for (const auto& t : narrow_) b += t.bytes();
  for (const auto& t : wide_) b += t.bytes();
  return b;
}

Status Accumulator::checkRange(const TokenSource& src, uint64_t begin, uint64_t end, uint64_t limit, bool isSigned) {
  const uint8_t* base = src.tokenBytes();
  uint64_t n = end - begin;
  uint32_t mx = 0;
  for (uint64_t o = 0; o < n; o += kPollTokens) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    const uint64_t b = begin + o, m = std::min<uint64_t>(kPollTokens, n - o);
    uint32_t x;
    switch (src.width()) {
      case 1: x = kernels_->max8(base + b, m); break;
      case 2: x = kernels_->max16(reinterpret_cast<const uint16_t*>(base) + b, m); break;
      default: x = kernels_->max32(reinterpret_cast<const uint32_t*>(base) + b, m); break;
    }
    mx = std::max(mx, x);
  }
  uint64_t signedLimit = src.dtype == DType::I8    ? (1ULL << 7)
                         : src.dtype == DType::I16 ? (1ULL << 15)
                         : src.dtype == DType::I32 ? (1ULL << 31)
                                                   : ~0ULL;
  uint64_t eff = std::min(limit, signedLimit);
  if (mx < eff) return Status::Ok();
  for (uint64_t i = begin; i < end; ++i) {
    uint64_t v;
    switch (src.width()) {
      case 1: v = base[i]; break;
      case 2: v = reinterpret_cast<const uint16_t*>(base)[i]; break;
      default: v = reinterpret_cast<const uint32_t*>(base)[i]; break;
    }
    if (v < eff) continue;
    int64_t off = static_cast<int64_t>(src.byteOffsetOf(i));
    if (isSigned && v >= signedLimit) {
      int64_t sv = src.dtype == DType::I8    ? static_cast<int8_t>(v)
                   : src.dtype == DType::I16 ? static_cast<int16_t>(v)
                                             : static_cast<int32_t>(v);
      return Status::Error(ec::E_TOKEN_RANGE, src.path, off, "negative token id " + std::to_string(sv));
    }
    if (cfg_.vocab != 0 && v >= cfg_.vocab)
      return Status::Error(ec::E_TOKEN_RANGE, src.path, off,
                           "token id " + std::to_string(v) + " is outside the vocabulary (--vocab " +
                               std::to_string(cfg_.vocab) + ")");
    return Status::Error(ec::E_TOKEN_RANGE, src.path, off,
                         "token id " + std::to_string(v) + " exceeds the supported maximum " +
                             std::to_string(kMaxTokenId - 1));
  }
  return Status::Ok();
}

Status Accumulator::addChunk(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats* stats) {
  if (poisoned_) return Status::Error(ec::E_CHANGED, src.path, -1, "counting was abandoned after an input changed");
  auto count = [&]() { return countChunk(src, begin, end, stats); };
  Status s = guardMappedRead(src.path, count);
  // A file rewritten in place (same size) faults nowhere; its stamp tells.
  if (s.ok()) s = src.data.checkUnchanged();
  // Either way the tables may hold part of a changed file: nothing more goes into
  // them, and nothing of them is written or reduced.
  if (s.code == ec::E_CHANGED) {
    poisoned_ = true;
    if (shared_ != nullptr) shared_->poison();
  }
  return s;
}

Status Accumulator::countChunk(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats* stats) {
  ChunkStats local;
  ChunkStats& st = stats != nullptr ? *stats : local;
  st = ChunkStats();
  if (kernels_ == nullptr) BIMIX_TRY(init());
  if (!src.parts.empty()) {
    const uint64_t lim = cfg_.vocab != 0 ? std::min<uint64_t>(cfg_.vocab, kMaxTokenId) : kMaxTokenId;
    return forEachPart(src, begin, end, lim, cfg_.vocab, [&](const TokenSource& part, uint64_t b, uint64_t e) {
      ChunkStats one;
      BIMIX_TRY(addChunk(part, b, e, &one));
      st.tokens += one.tokens;
      st.documents += one.documents;
      st.separators += one.separators;
      st.bigrams += one.bigrams;
      return Status::Ok();
    });
  }
  if (begin > end || end > src.tokens)
    return Status::Error(ec::E_USAGE, src.path, -1,
                         "chunk [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside the " +
                             std::to_string(src.tokens) + " tokens of the file");
  if (begin == end) return Status::Ok();
  uint64_t limit = cfg_.vocab != 0 ? std::min<uint64_t>(cfg_.vocab, kMaxTokenId) : kMaxTokenId;
  BIMIX_TRY(checkRange(src, begin, end, limit,
                       src.dtype == DType::I8 || src.dtype == DType::I16 || src.dtype == DType::I32));
  src.data.adviseSequential(src.byteOffsetOf(begin), (end - begin) * src.width());
  Status s;
  if (cfg_.groups > 0) {
    switch (src.width()) {
      case 1: s = addSampled<uint8_t>(src, begin, end, st); break;
      case 2: s = addSampled<uint16_t>(src, begin, end, st); break;
      default: s = addSampled<uint32_t>(src, begin, end, st); break;
    }
  } else switch (src.dtype) {
    case DType::U8:
    case DType::I8: s = addNarrow<uint8_t>(src, begin, end, st); break;
    case DType::U16:
    case DType::I16: s = addNarrow<uint16_t>(src, begin, end, st); break;
    default: s = addWide<uint32_t>(src, begin, end, st); break;
  }
  if (!s.ok()) return s;
  tokens_ += st.tokens;
  documents_ += st.documents;
  separators_ += st.separators;
  return Status::Ok();
}

template <typename T>
void Accumulator::countDocs(const T* t, uint64_t s, uint64_t u, uint64_t ds, uint64_t de, int64_t sep, ChunkStats& st) {
  if (sep < 0 || static_cast<int64_t>(static_cast<T>(sep)) != sep) {
    if (s == ds) st.documents += 1;
    if (u == de) docFinal_.add(t[de - 1]);
    return;
  }
  const T sv = static_cast<T>(sep);
  // Document starts owned by this segment.
  if (t[s] != sv && (s == ds || t[s - 1] == sv)) st.documents += 1;
  st.separators += forEachSeparator(kernels_, t, s, u, sv, seps_, [&](uint64_t j) {
    if (j + 1 < u && t[j + 1] != sv) st.documents += 1;
    if (j > s && t[j - 1] != sv) docFinal_.add(t[j - 1]);
  });
  // The last token of the segment is document-final if the document ends here or
  // a separator follows (the separator itself belongs to the next chunk).
  if (t[u - 1] != sv && (u == de || t[u] == sv)) docFinal_.add(t[u - 1]);
}

template <typename T>
Status Accumulator::addNarrow(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st) {
  BIMIX_TRY(ensureMode(TableMode::Narrow));
  const T* t = reinterpret_cast<const T*>(src.tokenBytes());
  const int64_t sep = src.separator;
  unigrams_.plan(65536, 0);
  docFinal_.plan(65536, 0);
  if (!cfg_.unigramsOnly && !reserveScatter(batchTokens_ * 4))
    return Status::Error(ec::E_NOMEM, "", -1, "cannot allocate the scatter buffer");
  if (block_.size() < (kBlock + 1) * 8) block_.resize((kBlock + 1) * 8);
  uint32_t* block = reinterpret_cast<uint32_t*>(block_.data());
  uint32_t* buf = reinterpret_cast<uint32_t*>(scatter_.data());
  uint64_t* uni = unigrams_.dense();
  std::vector<uint64_t> start(kPartitions + 1), cursor(kPartitions);
  std::vector<uint64_t> before;
  for (uint64_t bs = begin; bs < end; bs += batchTokens_) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    const uint64_t be = std::min(end, bs + batchTokens_);
    uint64_t sepsBefore = st.separators;
    double t0 = nowNs();
    if (cfg_.unigramsOnly) {
      for (uint64_t i0 = bs; i0 < be; i0 += kPollTokens) {
        if (cfg_.cancel.requested()) return interruptedStatus();
        for (uint64_t i = i0, i1 = std::min(be, i0 + kPollTokens); i < i1; ++i) uni[t[i]] += 1;
      }
    } else {
      uint64_t ph[kPartitions] = {0};
      if (layout_ == nullptr || be - bs >= kDeltaMinTokens) {
        // Partition sizes from the batch's unigram counts (the difference of the
        // counts before and after it): one increment per token instead of two.
        before.assign(uni, uni + 65536);
        for (uint64_t i0 = bs; i0 < be; i0 += kPollTokens) {
          if (cfg_.cancel.requested()) return interruptedStatus();
          for (uint64_t i = i0, i1 = std::min(be, i0 + kPollTokens); i < i1; ++i) uni[t[i]] += 1;
        }
        for (uint32_t id = 0; id < 65536; ++id) before[id] = uni[id] - before[id];
        if (layout_ == nullptr)
          layout_ = cfg_.layoutKey.empty() ? PartitionLayout::fromCounts(before.data())
                                           : PartitionLayout::shared(cfg_.layoutKey, before.data());
        const uint16_t* partOf = layout_->partOf.data();
        for (uint32_t id = 0; id < 65536; ++id) ph[partOf[id]] += before[id];
      } else {
        const uint16_t* partOf = layout_->partOf.data();
        for (uint64_t i0 = bs; i0 < be; i0 += kPollTokens) {
          if (cfg_.cancel.requested()) return interruptedStatus();
          for (uint64_t i = i0, i1 = std::min(be, i0 + kPollTokens); i < i1; ++i) {
            uni[t[i]] += 1;
            ph[partOf[t[i]]] += 1;
          }
        }
      }
      start[0] = 0;
      for (uint32_t p = 0; p < kPartitions; ++p) {
        start[p + 1] = start[p] + ph[p];
        cursor[p] = start[p];
      }
    }
    const double tHist = nowNs();
    gClock.ns[0] += tHist - t0;
    bool stopped = false;
    CancelPoll poll(cfg_.cancel, kPollTokens / kBlock);
    const uint16_t* partOf = layout_ != nullptr ? layout_->partOf.data() : nullptr;
    forEachSegment(src, bs, be, [&](uint64_t s, uint64_t u, uint64_t ds, uint64_t de) {
      if (stopped) return;
      countDocs<T>(t, s, u, ds, de, sep, st);
      if (cfg_.unigramsOnly) return;
      uint64_t pe = std::min(u, de - 1);  // pairs (i, i+1) with i+1 inside the document
      for (uint64_t i = s; i < pe; i += kBlock) {
        if (poll.stop()) {
          stopped = true;
          return;
        }
        size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, pe - i));
        size_t k = sizeof(T) == 2 ? kernels_->packKeys16(reinterpret_cast<const uint16_t*>(t + i), n, sep, block)
                                  : kernels_->packKeys8(reinterpret_cast<const uint8_t*>(t + i), n, sep, block);
        st.bigrams += k;
        for (size_t j = 0; j < k; ++j) {
          uint32_t key = block[j];
          buf[cursor[partOf[key >> 16]]++] = key;
        }
      }
    });
    if (stopped) return interruptedStatus();
    double t1 = nowNs();
    uint64_t sepsHere = st.separators - sepsBefore;
    if (sep >= 0 && sep < 65536 && static_cast<int64_t>(static_cast<T>(sep)) == sep) uni[sep] -= sepsHere;
    st.tokens += (be - bs) - sepsHere;
    if (cfg_.unigramsOnly) continue;
    if (sharedInUse_) {
      BIMIX_TRY(shared_->insertBatch(buf, start.data(), cursor.data(), member_, cfg_.cancel));
    } else {
      for (uint32_t p = 0; p < kPartitions; ++p) {
        if (cfg_.cancel.requested()) return interruptedStatus();
        if (cursor[p] > start[p]) narrow_[p].insert(buf + start[p], cursor[p] - start[p]);
      }
    }
    double t2 = nowNs();
    gClock.ns[1] += t1 - tHist;
    gClock.ns[2] += t2 - t1;
    if (sharedInUse_) BIMIX_TRY(shared_->spillIfOver(cfg_.spillDir, cfg_.cancel));
    else if (tableBytes() + scatter_.size() > cfg_.memoryBytes) BIMIX_TRY(spill());
  }
  return Status::Ok();
}

template <typename T>
Status Accumulator::addWide(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st) {
  const T* t = reinterpret_cast<const T*>(src.tokenBytes());
  const int64_t sep = src.separator;
  uint32_t mx = kernels_->max32(reinterpret_cast<const uint32_t*>(t) + begin, end - begin);
  if (end < src.tokens) mx = std::max<uint32_t>(mx, t[end]);  // the last bigram reads one token past the chunk
  // Compact keys: within partition p = left >> shift, (left's low bits, right) fit in
  // 32 bits when the vocabulary is small enough; half the key traffic and table size.
  // Ids beyond the vocabulary the layout was planned for switch to 64-bit keys.
  const uint64_t top = cfg_.vocab != 0 ? cfg_.vocab : (1ULL << 17);
  const uint32_t topBits = 64 - static_cast<uint32_t>(__builtin_clzll(top));
  const uint32_t planShift = topBits > kPartitionBits ? topBits - kPartitionBits : 1;
  const uint32_t rightBits = 64 - static_cast<uint32_t>(__builtin_clzll(top - 1 > 0 ? top - 1 : 1));
  const bool compactFits = planShift + rightBits <= 32 && (static_cast<uint64_t>(mx) >> rightBits) == 0;
  const bool compact = compactFits && mode_ != TableMode::Wide;
  SharedTables::Kind compactKind;
  compactKind.compact = true;
  compactKind.shift = wideShift_ != 0 ? wideShift_ : planShift;
  compactKind.rightBits = rightBits;
  BIMIX_TRY(ensureMode(compact ? TableMode::Compact : TableMode::Wide, compactKind));
  compactRightBits_ = rightBits;
  // Per-id counts: dense up to the largest id when that is cheap (or --vocab says
  // so), otherwise dense for small ids and a map for the rest (see id_counts.h).
  const bool allDense = unigrams_.plan(static_cast<uint64_t>(mx) + 1, cfg_.vocab);
  docFinal_.plan(static_cast<uint64_t>(mx) + 1, cfg_.vocab);
  if (wideShift_ == 0) {
    // From the vocabulary alone (not the data), so every accumulator of a run has
    // the same partitions and their tables merge in memory; larger ids share the
    // last partition.
    uint64_t top = cfg_.vocab != 0 ? cfg_.vocab : (1ULL << 17);
    uint32_t bits = 64 - static_cast<uint32_t>(__builtin_clzll(top));
    wideShift_ = bits > kPartitionBits ? bits - kPartitionBits : 1;
  }
  const uint32_t shift = wideShift_;
  const uint64_t lowMask = (1ULL << shift) - 1;
  if (!cfg_.unigramsOnly && !reserveScatter(batchTokens_ * 8))
    return Status::Error(ec::E_NOMEM, "", -1, "cannot allocate the scatter buffer");
  if (block_.size() < (kBlock + 1) * 8) block_.resize((kBlock + 1) * 8);
  uint64_t* block = reinterpret_cast<uint64_t*>(block_.data());
  uint64_t* buf = reinterpret_cast<uint64_t*>(scatter_.data());
  uint32_t* buf32 = reinterpret_cast<uint32_t*>(scatter_.data());
  uint64_t* uni = unigrams_.dense();
  IdCounts& unigrams = unigrams_;
  auto countIds = [&](uint64_t i0, uint64_t i1) {
    if (allDense)
      for (uint64_t i = i0; i < i1; ++i) uni[t[i]] += 1;
    else
      for (uint64_t i = i0; i < i1; ++i) unigrams.add(t[i]);
  };
  std::vector<uint64_t> start(kPartitions + 1), cursor(kPartitions);
  for (uint64_t bs = begin; bs < end; bs += batchTokens_) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    const uint64_t be = std::min(end, bs + batchTokens_);
    uint64_t sepsBefore = st.separators;
    if (cfg_.unigramsOnly) {
      for (uint64_t i0 = bs; i0 < be; i0 += kPollTokens) {
        if (cfg_.cancel.requested()) return interruptedStatus();
        countIds(i0, std::min(be, i0 + kPollTokens));
      }
    } else {
      uint32_t ph[kPartitions] = {0};
      for (uint64_t i0 = bs; i0 < be; i0 += kPollTokens) {
        if (cfg_.cancel.requested()) return interruptedStatus();
        const uint64_t i1 = std::min(be, i0 + kPollTokens);
        if (allDense) {
          for (uint64_t i = i0; i < i1; ++i) {
            uni[t[i]] += 1;
            ph[std::min<uint32_t>(t[i] >> shift, kPartitions - 1)] += 1;
          }
        } else {
          countIds(i0, i1);
          for (uint64_t i = i0; i < i1; ++i) ph[std::min<uint32_t>(t[i] >> shift, kPartitions - 1)] += 1;
        }
      }
      start[0] = 0;
      for (uint32_t p = 0; p < kPartitions; ++p) {
        start[p + 1] = start[p] + ph[p];
        cursor[p] = start[p];
      }
    }
    bool stopped = false;
    CancelPoll poll(cfg_.cancel, kPollTokens / kBlock);
    forEachSegment(src, bs, be, [&](uint64_t s, uint64_t u, uint64_t ds, uint64_t de) {
      if (stopped) return;
      countDocs<T>(t, s, u, ds, de, sep, st);
      if (cfg_.unigramsOnly) return;
      uint64_t pe = std::min(u, de - 1);
      for (uint64_t i = s; i < pe; i += kBlock) {
        if (poll.stop()) {
          stopped = true;
          return;
        }
        size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, pe - i));
        size_t k = kernels_->packKeys32(reinterpret_cast<const uint32_t*>(t + i), n, sep, block);
        st.bigrams += k;
        if (compact) {
          for (size_t j = 0; j < k; ++j) {
            const uint64_t key = block[j];
            const uint64_t left = key >> 32;
            buf32[cursor[left >> shift]++] = static_cast<uint32_t>(((left & lowMask) << rightBits) | (key & 0xFFFFFFFFULL));
          }
        } else {
          for (size_t j = 0; j < k; ++j) {
            uint64_t key = block[j];
            buf[cursor[std::min<uint64_t>(key >> (32 + shift), kPartitions - 1)]++] = key;
          }
        }
      }
    });
    if (stopped) return interruptedStatus();
    uint64_t sepsHere = st.separators - sepsBefore;
    if (sep >= 0) unigrams_.subtract(static_cast<uint64_t>(sep), sepsHere);
    st.tokens += (be - bs) - sepsHere;
    if (cfg_.unigramsOnly) continue;
    if (sharedInUse_) {
      BIMIX_TRY(shared_->insertBatch(buf32, start.data(), cursor.data(), member_, cfg_.cancel));
      BIMIX_TRY(shared_->spillIfOver(cfg_.spillDir, cfg_.cancel));
      continue;
    }
    for (uint32_t p = 0; p < kPartitions; ++p) {
      if (cfg_.cancel.requested()) return interruptedStatus();
      if (cursor[p] == start[p]) continue;
      if (compact) narrow_[p].insert(buf32 + start[p], cursor[p] - start[p]);
      else wide_[p].insert(buf + start[p], cursor[p] - start[p]);
    }
    if (tableBytes() + scatter_.size() > cfg_.memoryBytes) BIMIX_TRY(spill());
  }
  return Status::Ok();
}

Status Accumulator::ensureMode(TableMode want, SharedTables::Kind compact) {
  if (cfg_.groups > 0) want = TableMode::Grouped;
  if (mode_ == want) return Status::Ok();
  if (mode_ != TableMode::None) BIMIX_TRY(spill());
  narrow_.clear();
  wide_.clear();
  sharedInUse_ = false;
  if (want == TableMode::Wide || want == TableMode::Grouped) {
    wide_.resize(kPartitions);
  } else if (shared_ != nullptr && shared_->claim(want == TableMode::Compact ? compact : SharedTables::Kind())) {
    sharedInUse_ = true;  // narrow_ stays empty
  } else {
    narrow_.resize(kPartitions);
  }
  mode_ = want;
  return Status::Ok();
}

namespace {
template <typename Table, typename Conv>
Status drainInto(std::vector<Table>& tables, PartialWriter& w, CancelToken cancel, Conv conv) {
  std::vector<std::pair<uint64_t, uint64_t>> part;
  for (uint64_t p = 0; p < tables.size(); ++p) {
    if (cancel.requested()) return interruptedStatus();
    part.clear();
    tables[p].drainSorted(part);
    for (const auto& kv : part) w.addBigram(conv(p, kv.first), kv.second);
  }
  return Status::Ok();
}
}  // namespace

Status Accumulator::spill() {
  if (narrow_.empty() && wide_.empty()) return Status::Ok();
  if (cfg_.spillDir.empty())
    return Status::Error(ec::E_USAGE, "", -1, "memory budget exceeded and no spill folder was given");
  std::string path = cfg_.spillDir + "/spill-" + std::to_string(::getpid()) + "-" +
                     std::to_string(gSpillCounter.fetch_add(1)) + ".bimixps";
  PartialWriter w;
  BIMIX_TRY(w.open(path, "{\"spill\":true}"));
  std::vector<uint64_t> none;
  BIMIX_TRY(w.writeUnigrams(none));
  BIMIX_TRY(w.writeDocFinal(none));
  Status drained = drainAllInto(w);
  if (!drained.ok()) {
    w.abandon();
    return drained;
  }
  BIMIX_TRY(w.finish(0, 0, 0, flags()));
  spillPaths_.push_back(path);
  // The scatter buffer stays: a batch loop may still be using it.
  return Status::Ok();
}

Status Accumulator::drainAllInto(PartialWriter& w) {
  if (mode_ == TableMode::Narrow) {
    return drainInto(narrow_, w, cfg_.cancel, [](uint64_t, uint64_t k) { return canonicalNarrow(k); });
  } else if (mode_ == TableMode::Compact) {
    const uint32_t shift = wideShift_, rb = compactRightBits_;
    return drainInto(narrow_, w, cfg_.cancel, [shift, rb](uint64_t p, uint64_t k) {
      const uint64_t left = (p << shift) | (k >> rb);
      return (left << 32) | (k & ((1ULL << rb) - 1));
    });
  } else if (mode_ == TableMode::Wide || mode_ == TableMode::Grouped) {
    return drainInto(wide_, w, cfg_.cancel, [](uint64_t, uint64_t k) { return k; });
  }
  return Status::Ok();
}

uint32_t Accumulator::flags() const {
  return (cfg_.unigramsOnly ? kFlagUnigramsOnly : 0) | (cfg_.groups > 0 ? kFlagGrouped : 0);
}

Status Accumulator::writePartial(const std::string& path, const std::string& meta) {
  if (shared_ != nullptr)
    return Status::Error(ec::E_USAGE, path, -1,
                         "these counts share tables with other accumulators of the domain: reduce them together");
  return writeOwnPartial(path, meta);
}

Status Accumulator::writeOwnPartial(const std::string& path, const std::string& meta) {
  if (poisoned_) return Status::Error(ec::E_CHANGED, path, -1, "counts are incomplete: an input changed while being read");
  BIMIX_TRY(flushPending());
  uint32_t flags = this->flags();
  releaseScatter();
  if (spillPaths_.empty()) {
    PartialWriter w;
    BIMIX_TRY(w.open(path, meta));
    BIMIX_TRY(w.writeUnigrams(unigrams_.dense(), unigrams_.denseSize(), unigrams_.sortedSparse()));
    BIMIX_TRY(w.writeDocFinal(docFinal_.dense(), docFinal_.denseSize(), docFinal_.sortedSparse()));
    Status drained = drainAllInto(w);
    if (!drained.ok()) {
      w.abandon();
      return drained;
    }
    BIMIX_TRY(w.finish(tokens_, documents_, separators_, flags));
  } else {
    BIMIX_TRY(spill());
    // Unigram counts and totals travel in one more (bigram-free) run.
    std::string rest = cfg_.spillDir + "/spill-" + std::to_string(::getpid()) + "-" +
                       std::to_string(gSpillCounter.fetch_add(1)) + ".bimixps";
    PartialWriter w;
    BIMIX_TRY(w.open(rest, "{\"spill\":true}"));
    BIMIX_TRY(w.writeUnigrams(unigrams_.dense(), unigrams_.denseSize(), unigrams_.sortedSparse()));
    BIMIX_TRY(w.writeDocFinal(docFinal_.dense(), docFinal_.denseSize(), docFinal_.sortedSparse()));
    BIMIX_TRY(w.finish(tokens_, documents_, separators_, flags));
    spillPaths_.push_back(rest);
    BIMIX_TRY(mergePartials(spillPaths_, path, meta, nullptr, cfg_.cancel));
    for (const std::string& p : spillPaths_) ::unlink(p.c_str());
    spillPaths_.clear();
  }
  reset();
  return Status::Ok();
}

void Accumulator::reset() {
  leaveShared();
  narrow_.clear();
  wide_.clear();
  mode_ = TableMode::None;
  wideShift_ = 0;
  compactRightBits_ = 0;
  unigrams_.clear();
  docFinal_.clear();
  pending_.clear();
  releaseScatter();
  tokens_ = documents_ = separators_ = 0;
}

std::string baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

uint64_t pathHash(const std::string& path) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char ch : path) {
    h ^= ch;
    h *= 0x100000001B3ULL;
  }
  return h;
}

uint64_t documentHash(uint64_t seed, uint64_t fileHash, uint64_t docStart) {
  auto mix = [](uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  return mix(mix(mix(seed) ^ fileHash) ^ docStart);
}

Status Accumulator::flushPending() {
  if (pending_.empty()) return Status::Ok();
  const uint32_t shift = wideShift_;
  uint64_t ph[kPartitions + 1] = {0};
  const uint64_t n = pending_.size();
  const uint64_t* keys = pending_.data();
  for (uint64_t i0 = 0; i0 < n; i0 += kPollTokens) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    for (uint64_t i = i0, i1 = std::min(n, i0 + kPollTokens); i < i1; ++i)
      ph[std::min<uint64_t>((keys[i] >> 40) >> shift, kPartitions - 1) + 1] += 1;
  }
  for (uint32_t p = 0; p < kPartitions; ++p) ph[p + 1] += ph[p];
  std::vector<uint64_t> cursor(ph, ph + kPartitions);
  if (!reserveScatter(pending_.size() * 8)) return Status::Error(ec::E_NOMEM, "", -1, "cannot allocate the scatter buffer");
  uint64_t* buf = reinterpret_cast<uint64_t*>(scatter_.data());
  for (uint64_t i0 = 0; i0 < n; i0 += kPollTokens) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    for (uint64_t i = i0, i1 = std::min(n, i0 + kPollTokens); i < i1; ++i)
      buf[cursor[std::min<uint64_t>((keys[i] >> 40) >> shift, kPartitions - 1)]++] = keys[i];
  }
  for (uint32_t p = 0; p < kPartitions; ++p) {
    if (cfg_.cancel.requested()) return interruptedStatus();
    if (ph[p + 1] > ph[p]) wide_[p].insert(buf + ph[p], ph[p + 1] - ph[p]);
  }
  pending_.clear();
  if (tableBytes() + scatter_.size() > cfg_.memoryBytes) BIMIX_TRY(spill());
  return Status::Ok();
}

// Sampled counting: whole documents are kept or dropped by their hash. A simple
// scalar path: the sample is a small fraction of the corpus by design.
template <typename T>
Status Accumulator::addSampled(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st) {
  BIMIX_TRY(ensureMode(TableMode::Grouped));
  const T* t = reinterpret_cast<const T*>(src.tokenBytes());
  const int64_t sep = src.separator;
  const bool useSep = sep >= 0 && static_cast<int64_t>(static_cast<T>(sep)) == sep;
  const T sv = useSep ? static_cast<T>(sep) : T(0);
  if (wideShift_ == 0) {
    uint64_t mx = 0;
    for (uint64_t i = begin; i < end; ++i) mx = t[i] > mx ? t[i] : mx;
    uint64_t top = cfg_.vocab != 0 ? cfg_.vocab : mx * 2 + 2;
    uint32_t bits = 64 - static_cast<uint32_t>(__builtin_clzll(top));
    wideShift_ = bits > kPartitionBits ? bits - kPartitionBits : 1;
  }
  const uint64_t fileHash = pathHash(baseName(src.path));
  const double threshold = cfg_.sampleRate * 18446744073709551616.0;  // 2^64
  const uint64_t groups = cfg_.groups;
  std::vector<double> nested;
  for (double r : cfg_.nestedRates) nested.push_back(r * 18446744073709551616.0);
  auto isSep = [&](uint64_t i) { return useSep && t[i] == sv; };
  auto grouped = [](uint64_t left, uint64_t right, uint64_t g) { return (left << 40) | (right << 8) | g; };
  uint64_t sepsSeen = 0;
  Status failure;
  // Each piece costs at least a hash, so polling every few pieces is free.
  CancelPoll poll(cfg_.cancel, 16);
  forEachSegment(src, begin, end, [&](uint64_t s, uint64_t u, uint64_t ds, uint64_t de) {
    if (!failure.ok()) return;
    // Separator positions of the segment (SIMD, in blocks), so dropped documents cost nothing per token.
    uint64_t a = s;
    // [a, b) holds no separator: one document's piece inside this chunk.
    auto piece = [&](uint64_t b) {
      if (!failure.ok()) return;
      if (poll.stop()) {
        failure = interruptedStatus();
        return;
      }
      if (b > a) {
        // [a, b) is one document's piece inside this chunk; find where the document starts.
        uint64_t start = a;
        while (start > ds && !isSep(start - 1)) --start;
        uint64_t h = documentHash(cfg_.sampleSeed, fileHash, start);
        if (cfg_.sampleRate >= 1.0 || static_cast<double>(h) < threshold) {
          uint64_t g = (h * 0x9E3779B97F4A7C15ULL >> 32) % groups;
          uint64_t level = 0;
          while (level < nested.size() && static_cast<double>(h) < nested[level]) ++level;
          g += level * groups;
          if (start == a) st.documents += 1;
          st.tokens += b - a;
          for (uint64_t i = a; i + 1 < b; ++i) pending_.push_back(grouped(t[i], t[i + 1], g));
          st.bigrams += b - a - 1;
          // The piece's last token: document-final, or the left half of a bigram
          // that crosses into the next chunk.
          if (b == de || isSep(b)) pending_.push_back(grouped(t[b - 1], kEndMarker, g));
          else if (b == u) {
            pending_.push_back(grouped(t[b - 1], t[b], g));
            st.bigrams += 1;
          }
          if (pending_.size() >= batchTokens_) failure = flushPending();
        }
      }
      a = b + 1;
    };
    if (useSep) sepsSeen += forEachSeparator(kernels_, t, s, u, sv, seps_, piece);
    piece(u);
  });
  st.separators += sepsSeen;
  if (!failure.ok()) return failure;
  return flushPending();
}

}  // namespace bimix

namespace bimix {

bool Accumulator::canReduceInMemory(const std::vector<Accumulator*>& accs) {
  TableMode mode = TableMode::None;
  const Accumulator* first = nullptr;
  for (Accumulator* a : accs) {
    if (!a->spillPaths_.empty() || a->cfg_.groups > 0 || !a->pending_.empty()) return false;
    // All members of one set of shared tables, or none; nothing spilled from them.
    if (a->shared_ != accs.front()->shared_ || (a->shared_ != nullptr && a->shared_->spills() > 0)) return false;
    if (a->cfg_.unigramsOnly != accs.front()->cfg_.unigramsOnly) return false;
    if (a->mode_ == TableMode::None) continue;
    if (first != nullptr) {
      if (a->mode_ != mode) return false;
      if ((mode == TableMode::Wide || mode == TableMode::Compact) && a->wideShift_ != first->wideShift_) return false;
      if (mode == TableMode::Compact && a->compactRightBits_ != first->compactRightBits_) return false;
      if (mode == TableMode::Narrow && a->layout_ != first->layout_ &&
          (a->layout_ == nullptr || first->layout_ == nullptr || a->layout_->partOf != first->layout_->partOf))
        return false;
    }
    mode = a->mode_;
    first = a;
  }
  // Counts in shared tables reduce in memory only when every member counts into them
  // (members that ended on other tokens, or kept tables of their own: through files).
  SharedTables* shared = accs.front()->shared_.get();
  if (shared != nullptr && !shared->empty())
    for (Accumulator* a : accs)
      if (a->mode_ != TableMode::None && !a->sharedInUse_) return false;
  return true;
}

namespace {
// Adds a table's counts to the reduction and empties it.
template <typename Table>
void tally(Table& t, Reduction& red) {
  t.forEach([&](auto, uint64_t count) {
    red.bigramTotal += count;
    red.bigramDistinct += 1;
    red.bigramHist.add(count);
  });
  t.clear();
}
}  // namespace

void Accumulator::reducePartition(const std::vector<Accumulator*>& accs, TableMode mode, SharedTables* shared, uint32_t p,
                                  Reduction& red) {
  if ((mode == TableMode::Narrow || mode == TableMode::Compact) && shared != nullptr) {
    // Shared tables already hold every member's counts: nothing to fold.
    tally(shared->table(p), red);
    return;
  }
  auto fold = [&](auto member) {
    // Fold every accumulator's partition p into the largest one.
    size_t best = 0;
    bool any = false;
    for (size_t i = 0; i < accs.size(); ++i) {
      auto& v = accs[i]->*member;
      if (v.empty()) continue;
      if (!any || v[p].size() > (accs[best]->*member)[p].size()) best = i;
      any = true;
    }
    if (!any) return;
    auto& target = (accs[best]->*member)[p];
    for (size_t i = 0; i < accs.size(); ++i) {
      auto& v = accs[i]->*member;
      if (i == best || v.empty()) continue;
      v[p].forEach([&](auto key, uint64_t count) { target.add(key, count); });
      v[p].clear();
    }
    tally(target, red);
  };
  if (mode == TableMode::Narrow || mode == TableMode::Compact) fold(&Accumulator::narrow_);
  else if (mode == TableMode::Wide) fold(&Accumulator::wide_);
}

Status Accumulator::checkWhole(const std::vector<Accumulator*>& accs) {
  for (Accumulator* a : accs)
    if (a->poisoned_ || (a->shared_ != nullptr && a->shared_->poisoned()))
      return Status::Error(ec::E_CHANGED, "", -1, "counts are incomplete: an input changed while being read");
  for (Accumulator* a : accs) BIMIX_TRY(a->flushPending());
  return Status::Ok();
}

Status Accumulator::mergeThroughFiles(const std::vector<Accumulator*>& accs, const std::string& out, const std::string& meta,
                                      Reduction* red) {
  const CancelToken cancel = accs.front()->cfg_.cancel;
  const std::string dir = accs.front()->cfg_.spillDir;
  if (dir.empty()) return Status::Error(ec::E_USAGE, "", -1, "counts that spilled need a spill folder to be merged");
  std::vector<std::string> paths;
  Status s;
  // Shared tables go into the merge once, as runs, whichever members share them.
  std::vector<SharedTables*> sharedSeen;
  for (size_t i = 0; i < accs.size() && s.ok(); ++i) {
    SharedTables* sh = accs[i]->shared_.get();
    if (sh == nullptr || std::find(sharedSeen.begin(), sharedSeen.end(), sh) != sharedSeen.end()) continue;
    sharedSeen.push_back(sh);
    s = sh->spillAll(dir, cancel);
    for (std::string& p : sh->takeSpillPaths()) paths.push_back(std::move(p));
  }
  for (size_t i = 0; i < accs.size() && s.ok(); ++i) {
    std::string p = dir + "/reduce-" + std::to_string(::getpid()) + "-" + std::to_string(gSpillCounter.fetch_add(1)) + ".bimixps";
    s = accs[i]->writeOwnPartial(p, "{}");
    if (s.ok()) paths.push_back(p);
  }
  if (s.ok()) s = mergePartials(paths, out, meta, red, cancel);
  for (const std::string& p : paths) ::unlink(p.c_str());
  BIMIX_TRY(s);
  for (Accumulator* a : accs) a->reset();
  return Status::Ok();
}

Status Accumulator::writeAll(const std::vector<Accumulator*>& accs, const std::string& path, const std::string& meta) {
  if (accs.empty()) return Status::Error(ec::E_USAGE, path, -1, "no counts to write");
  BIMIX_TRY(checkWhole(accs));
  return mergeThroughFiles(accs, path, meta, nullptr);
}

Status Accumulator::reduceAll(const std::vector<Accumulator*>& accs, uint32_t threads, Reduction& red) {
  red = Reduction();
  if (accs.empty()) return Status::Ok();
  const CancelToken cancel = accs.front()->cfg_.cancel;
  BIMIX_TRY(checkWhole(accs));
  if (!canReduceInMemory(accs)) return mergeThroughFiles(accs, "", "{}", &red);
  red.unigramsOnly = accs.front()->cfg_.unigramsOnly;
  for (Accumulator* a : accs) {
    red.tokens += a->tokens_;
    red.documents += a->documents_;
    red.separators += a->separators_;
    a->unigrams_.addTo(red.unigrams);
    a->docFinal_.addTo(red.docFinal);
  }
  TableMode mode = TableMode::None;
  for (Accumulator* a : accs) mode = a->mode_ != TableMode::None ? a->mode_ : mode;
  // Shared tables with counts hold every member's (canReduceInMemory); empty ones are passed over.
  SharedTables* shared = accs.front()->shared_ != nullptr && !accs.front()->shared_->empty() ? accs.front()->shared_.get() : nullptr;
  // Partitions are disjoint key ranges: threads claim them one at a time and each
  // sums its own statistics; sums of counts and of counts of counts do not depend
  // on which thread folded which partition.
  const uint32_t n = std::max<uint32_t>(1, std::min<uint32_t>(threads, kPartitions));
  std::vector<Reduction> parts(n);
  std::vector<Status> failed(n);
  std::atomic<uint32_t> next{0};
  std::atomic<bool> stop{false};
  auto work = [&](uint32_t w) {
    try {
      for (;;) {
        if (stop.load(std::memory_order_relaxed)) return;
        if (cancel.requested()) {
          failed[w] = interruptedStatus();
          stop.store(true);
          return;
        }
        const uint32_t p = next.fetch_add(1);
        if (p >= kPartitions) return;
        reducePartition(accs, mode, shared, p, parts[w]);
      }
    } catch (const std::bad_alloc&) {
      failed[w] = Status::Error(ec::E_NOMEM, "", -1, "out of memory (an allocation failed); lower --memory or --threads");
      stop.store(true);
    }
  };
  if (mode != TableMode::None) {
    std::vector<std::thread> pool;
    for (uint32_t w = 1; w < n; ++w) {
      try {
        pool.emplace_back(work, w);
      } catch (const std::system_error&) {
        break;  // no more threads to be had: those started (and this one) do the rest
      }
    }
    work(0);
    for (std::thread& t : pool) t.join();
    for (const Status& s : failed) BIMIX_TRY(s);
  }
  for (const Reduction& r : parts) {
    red.bigramTotal += r.bigramTotal;
    red.bigramDistinct += r.bigramDistinct;
    red.bigramHist.addAll(r.bigramHist);
  }
  BIMIX_TRY(finishReduction(red, "", true));
  for (Accumulator* a : accs) a->reset();
  return Status::Ok();
}

}  // namespace bimix
