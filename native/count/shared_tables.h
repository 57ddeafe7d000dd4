// SharedTables: one set of 32-bit-key partition tables (8/16-bit tokens, or 32-bit
// tokens of a small vocabulary as compact keys) for all the accumulators counting
// one domain in this process. Each worker still packs and
// scatters its own batch into partitions; the aggregation step then inserts each
// partition's keys into the one shared table of that partition, under that
// partition's lock. So table memory does not grow with the thread count, a table
// is touched by one core at a time, and the reduction has no tables to fold.
//
// Any interleaving gives the same counts (insertion order only moves slots), and
// spilling keeps tables, plus every member's scatter buffer, within the sum of the
// members' memory budgets.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../common/cancel.h"
#include "../common/status.h"
#include "bigram_tables.h"

namespace bimix {

class SharedTables {
 public:
  explicit SharedTables(uint32_t partitions);
  ~SharedTables();
  SharedTables(const SharedTables&) = delete;
  SharedTables& operator=(const SharedTables&) = delete;

  // The tables shared under `key` (created by the first caller; gone with the last holder).
  static std::shared_ptr<SharedTables> forKey(const std::string& key, uint32_t partitions);

  // What the keys mean: narrow keys (left << 16 | right), or compact keys of 32-bit
  // tokens (partition p holds ((left & low bits) << rightBits) | right, with
  // left = p << shift | low bits). The first member to count fixes the kind; a
  // member whose tokens need another kind keeps tables of its own (false).
  struct Kind {
    bool compact = false;
    uint32_t shift = 0, rightBits = 0;
    bool operator==(const Kind& o) const { return compact == o.compact && shift == o.shift && rightBits == o.rightBits; }
  };
  bool claim(const Kind& kind);
  // The kind fixed by the first member (false: none yet).
  bool kind(Kind& out) const;

  // A member joins with its memory budget and leaves (reset) by giving it back.
  uint32_t join(uint64_t budgetBytes);
  void leave(uint64_t budgetBytes);
  // A member's scatter buffer grew or shrank (counted against the budget).
  void scatterResized(int64_t deltaBytes) { scatterBytes_.fetch_add(static_cast<uint64_t>(deltaBytes)); }

  // Inserts partition p's keys buf[start[p], cursor[p]) for every p, taking each
  // partition's lock; partitions another member holds are done after the rest.
  // `member` spreads members' starting partitions apart. Polls `cancel`.
  Status insertBatch(const uint32_t* buf, const uint64_t* start, const uint64_t* cursor, uint32_t member,
                     const CancelToken& cancel);
  // Inserts n keys into partition p's table, waiting for its lock.
  Status insertOne(uint32_t p, const uint32_t* keys, uint64_t n);
  // Spills all tables into a sorted run in `dir` when tables and scatter buffers
  // exceed the budget (re-checked under the spill lock; one member spills at a time).
  Status spillIfOver(const std::string& dir, const CancelToken& cancel);
  // Spills whatever the tables hold (no budget check; nothing when empty): the
  // file-based reduction, when no member is inserting any more.
  Status spillAll(const std::string& dir, const CancelToken& cancel);

  // Reduction helpers: the caller owns the tables exclusively by then.
  PartitionTable<uint32_t>& table(uint32_t p) { return tables_[p]; }
  uint32_t partitions() const { return static_cast<uint32_t>(tables_.size()); }
  const std::vector<std::string>& spillPaths() const { return spillPaths_; }
  // Hands the spill runs to the caller (which deletes them).
  std::vector<std::string> takeSpillPaths();
  uint64_t tableBytes() const { return tableBytes_.load(); }
  uint64_t spills() const { return spills_.load(); }
  // No counts in any table (reduction only: no member may be inserting).
  bool empty() const {
    for (const auto& t : tables_)
      if (t.size() > 0) return false;
    return true;
  }

  // A member abandoned a chunk half-counted (an input changed): nothing may be reduced.
  void poison() { poisoned_.store(true); }
  bool poisoned() const { return poisoned_.load(); }

 private:
  Status spillLocked(const std::string& dir, const CancelToken& cancel);

  std::vector<PartitionTable<uint32_t>> tables_;
  std::unique_ptr<std::mutex[]> locks_;
  std::atomic<uint64_t> tableBytes_{0};
  std::atomic<uint64_t> scatterBytes_{0};
  std::atomic<uint64_t> budget_{0};
  std::atomic<uint32_t> members_{0};
  std::atomic<bool> poisoned_{false};
  std::atomic<uint64_t> spills_{0};
  mutable std::mutex kindMutex_;
  bool hasKind_ = false;
  Kind kind_;
  std::mutex spillMutex_;
  std::vector<std::string> spillPaths_;  // guarded by spillMutex_
};

}  // namespace bimix
