// Exact per-token-id counts whose memory follows the ids actually used: a dense
// array for ids below a limit and a hash map for the few above it. The dense part
// grows to cover larger ids only when enough distinct large ids were seen to pay
// for it, so a shard holding one id near 2^24 costs a few bytes, not 128 MB.
#pragma once
#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bimix {

class IdCounts {
 public:
  // Ids below this are always dense (1 MB of counts).
  static constexpr uint64_t kAlwaysDense = 1ULL << 17;
  // The dense part covers ids up to `top` when top is at most this many times the
  // number of distinct ids kept in the map.
  static constexpr uint64_t kDensePerSparse = 16;

  // Makes ids below `n` dense (moving their counts out of the map).
  void growDense(uint64_t n) {
    if (n <= dense_.size()) return;
    dense_.resize(n, 0);
    for (auto it = sparse_.begin(); it != sparse_.end();) {
      if (it->first < n) {
        dense_[it->first] += it->second;
        it = sparse_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Plans the dense part before counting ids below `top`: dense when that is cheap
  // (below kAlwaysDense, or `vocab` given) or when the map already holds enough
  // distinct ids. Returns whether every id below `top` is now dense.
  bool plan(uint64_t top, uint64_t vocab) {
    if (top <= dense_.size()) return true;
    if (top <= kAlwaysDense || (vocab != 0 && top <= vocab) || top <= kDensePerSparse * sparse_.size()) {
      growDense(std::max(top, vocab));
      return true;
    }
    growDense(std::min<uint64_t>(top, kAlwaysDense));
    return false;
  }

  uint64_t* dense() { return dense_.data(); }
  uint64_t denseSize() const { return dense_.size(); }
  void add(uint64_t id, uint64_t c = 1) {
    if (id < dense_.size()) dense_[id] += c;
    else sparse_[id] += c;
  }
  // Removes `c` occurrences of `id`, which were counted before.
  void subtract(uint64_t id, uint64_t c) {
    if (c == 0) return;
    if (id < dense_.size()) {
      dense_[id] -= c;
      return;
    }
    auto it = sparse_.find(id);
    if (it == sparse_.end()) return;
    it->second -= c;
    if (it->second == 0) sparse_.erase(it);
  }
  // (id, count) of the ids above the dense part, ascending.
  std::vector<std::pair<uint64_t, uint64_t>> sortedSparse() const {
    std::vector<std::pair<uint64_t, uint64_t>> out(sparse_.begin(), sparse_.end());
    std::sort(out.begin(), out.end());
    return out;
  }
  // Adds every count into a dense vector (grown as needed).
  void addTo(std::vector<uint64_t>& out) const {
    if (out.size() < dense_.size()) out.resize(dense_.size(), 0);
    for (size_t i = 0; i < dense_.size(); ++i) out[i] += dense_[i];
    for (const auto& kv : sparse_) {
      if (out.size() <= kv.first) out.resize(kv.first + 1, 0);
      out[kv.first] += kv.second;
    }
  }
  // Bytes held (the map's at an estimated 48 bytes per entry).
  uint64_t bytes() const { return dense_.capacity() * sizeof(uint64_t) + sparse_.size() * 48; }
  void clear() {
    std::vector<uint64_t>().swap(dense_);
    sparse_.clear();
  }

 private:
  std::vector<uint64_t> dense_;
  std::unordered_map<uint64_t, uint64_t> sparse_;
};

}  // namespace bimix
