// Radix-partitioned bigram aggregation. Keys are scattered into partitions by the
// high bits of their left token (so partitions are key ranges and concatenating
// sorted partitions gives a globally sorted run), then each partition is
// aggregated in its own open-addressing table, small enough to stay in cache.
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace bimix {

// A narrow table key (left << 16 | right) as the 64-bit key of partial-state files.
inline uint64_t canonicalNarrow(uint64_t k) { return ((k >> 16) << 32) | (k & 0xFFFF); }

template <typename K>
struct TableEntry;
template <>
struct TableEntry<uint32_t> {
  uint32_t key;
  uint32_t count;  // 0 marks an empty slot
};
template <>
struct TableEntry<uint64_t> {
  uint64_t key;
  uint64_t count;
};

template <typename K>
class PartitionTable {
 public:
  using Entry = TableEntry<K>;
  static constexpr uint32_t kMinBits = 6;

  PartitionTable() { resize(kMinBits); }

  // Adds one occurrence of each key. Narrow counts that approach 2^32 move into an
  // exact 64-bit overflow map, so counts stay exact at any corpus size.
  void insert(const K* keys, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (i + 8 < n) __builtin_prefetch(&slots_[slotOf(keys[i + 8])]);
      const K key = keys[i];
      size_t h = slotOf(key);
      for (;;) {
        Entry& e = slots_[h];
        if (e.count == 0) {
          e.key = key;
          e.count = 1;
          if (++size_ * 4 > slots_.size() * 3) resize(bits_ + 1);
          break;
        }
        if (e.key == key) {
          if (sizeof(K) == 4 && __builtin_expect(e.count == 0xFFFFFFFEu, 0)) {
            overflow_[key] += e.count;
            e.count = 0;  // re-set to 1 below, keeping the slot occupied
            e.count = 1;
          } else {
            ++e.count;
          }
          break;
        }
        h = (h + 1) & mask_;
      }
    }
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.size() * sizeof(Entry) + overflow_.size() * 48; }

  // Adds `count` occurrences of `key` (used when tables of two accumulators merge).
  void add(K key, uint64_t count) {
    size_t h = slotOf(key);
    for (;;) {
      Entry& e = slots_[h];
      if (e.count == 0) {
        e.key = key;
        setCount(e, count);
        if (++size_ * 4 > slots_.size() * 3) resize(bits_ + 1);
        return;
      }
      if (e.key == key) {
        setCount(e, totalOf(e) + count);
        return;
      }
      h = (h + 1) & mask_;
    }
  }

  // Calls f(key, exact count) for every entry, in slot order.
  template <typename F>
  void forEach(F&& f) const {
    for (const Entry& e : slots_)
      if (e.count != 0) f(e.key, totalOf(e));
  }

  // Appends (key, count) of every entry, sorted by key, then empties the table.
  void drainSorted(std::vector<std::pair<uint64_t, uint64_t>>& out) {
    size_t start = out.size();
    for (const Entry& e : slots_) {
      if (e.count == 0) continue;
      uint64_t c = e.count;
      if (sizeof(K) == 4 && !overflow_.empty()) {
        auto it = overflow_.find(e.key);
        if (it != overflow_.end()) c += it->second;
      }
      out.emplace_back(static_cast<uint64_t>(e.key), c);
    }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    clear();
  }

  void clear() {
    overflow_.clear();
    slots_.clear();
    resize(kMinBits);
  }

 private:
  size_t slotOf(K key) const {
    if (sizeof(K) == 4) return static_cast<size_t>((static_cast<uint32_t>(key) * 0x9E3779B1u) >> (32 - bits_));
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL) >> (64 - bits_));
  }
  uint64_t totalOf(const Entry& e) const {
    uint64_t c = e.count;
    if (sizeof(K) == 4 && !overflow_.empty()) {
      auto it = overflow_.find(e.key);
      if (it != overflow_.end()) c += it->second;
    }
    return c;
  }
  void setCount(Entry& e, uint64_t c) {
    if (sizeof(K) == 4) {
      // Keep the slot's count in 32 bits (and non-zero); the rest lives in the overflow map.
      uint64_t low = c > 0xFFFFFFF0ULL ? 1 : c;
      if (c != low) overflow_[e.key] = c - low;
      else if (!overflow_.empty()) overflow_.erase(e.key);
      e.count = static_cast<decltype(e.count)>(low);
    } else {
      e.count = static_cast<decltype(e.count)>(c);
    }
  }
  void resize(uint32_t bits) {
    std::vector<Entry> old;
    old.swap(slots_);
    bits_ = bits;
    slots_.assign(size_t{1} << bits, Entry{0, 0});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Entry& e : old) {
      if (e.count == 0) continue;
      size_t h = slotOf(e.key);
      while (slots_[h].count != 0) h = (h + 1) & mask_;
      slots_[h] = e;
      ++size_;
    }
  }

  std::vector<Entry> slots_;
  std::unordered_map<K, uint64_t> overflow_;
  size_t size_ = 0;
  size_t mask_ = 0;
  uint32_t bits_ = 0;
};

}  // namespace bimix
