// Accumulator: exact unigram/bigram counts of any number of chunks, in bounded
// memory. Tables that outgrow the budget spill as sorted partial-state runs into
// a spill folder; writePartial() merges everything into one partial-state file.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../common/cancel.h"
#include "../common/huge_buffer.h"
#include "../common/status.h"
#include "../formats/source.h"
#include "bigram_tables.h"
#include "id_counts.h"
#include "kernels.h"
#include "shared_tables.h"
#include "../state/partial_file.h"
#include "../state/merge.h"

namespace bimix {

constexpr uint32_t kPartitionBits = 10;  // 1024 partitions (4096 measured no faster)
constexpr uint32_t kPartitions = 1u << kPartitionBits;

struct AccumulatorConfig {
  uint64_t memoryBytes = 1ULL << 30;  // tables + scatter buffer
  std::string spillDir;               // where spill runs go (required if the budget can be exceeded)
  std::string simd = "auto";
  // Accumulators with the same key (the counts of one domain) share one partition
  // layout, which their tables need to be merged in memory. Empty: a layout of its own.
  // They also share their 32-bit-key tables (8/16-bit tokens, compact 32-bit ones;
  // shared_tables.h): such accumulators are reduced or written together (reduceAll,
  // writeAll), never written alone.
  std::string layoutKey;
  uint64_t vocab = 0;  // 0: no --vocab check (ids still limited to 2^24)
  bool unigramsOnly = false;
  uint64_t batchTokens = 0;  // 0: chosen from the budget
  // Sampled mode (sampleRate < 1): keep each whole document with this probability,
  // decided by a seeded hash of (file, document start), and tag it with one of
  // `groups` bootstrap groups. Counts then go to grouped keys (see partial_file.h).
  double sampleRate = 1.0;
  uint64_t sampleSeed = 0;
  uint32_t groups = 0;
  // Polled per batch, per partition and while merging spills: E_INTERRUPTED when set.
  CancelToken cancel;
  // Nested subsamples, descending rates below sampleRate: a kept document whose hash
  // also falls under the first k of them is of level k, and its group id becomes
  // level * groups + group (at most 256 ids in all).
  std::vector<double> nestedRates;
};

struct ChunkStats {
  uint64_t tokens = 0;      // non-separator tokens counted
  uint64_t documents = 0;   // non-empty documents starting in the chunk
  uint64_t separators = 0;  // separator tokens seen
  uint64_t bigrams = 0;     // bigrams counted
};

// What the partition tables hold.
enum class TableMode : uint8_t {
  None,     // nothing counted yet
  Narrow,   // 8/16-bit tokens: 32-bit keys left << 16 | right in narrow_
  Wide,     // 32-bit tokens: 64-bit keys left << 32 | right in wide_
  Grouped,  // sampled mode: grouped 64-bit keys (partial_file.h) in wide_
  Compact,  // 32-bit tokens of a small vocabulary: 32-bit in-partition keys in narrow_
};

// Which partition the keys of each left token (8/16-bit tokens) go to: contiguous,
// ascending id ranges cut from a unigram histogram so that partitions receive
// similar numbers of keys whatever the order of ids (frequent ids first, as in BPE
// vocabularies, or scattered). Any layout gives the same counts; only speed differs.
struct PartitionLayout {
  std::vector<uint16_t> partOf;  // 65536 entries, non-decreasing, < kPartitions
  // Cuts ranges holding about equal shares of `counts` (65536 entries).
  static std::shared_ptr<const PartitionLayout> fromCounts(const uint64_t* counts);
  // The layout shared under `key`, made from `counts` by the first caller.
  static std::shared_ptr<const PartitionLayout> shared(const std::string& key, const uint64_t* counts);
};

class Accumulator {
 public:
  explicit Accumulator(AccumulatorConfig cfg);
  ~Accumulator();
  // Validates the configuration (kernels, budget).
  Status init();
  // Counts tokens [begin, end) of `src` (token positions). Bigrams whose left
  // token lies in the range are counted here, reading one token past `end`.
  Status addChunk(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats* stats = nullptr);
  // Writes all counts (merging spills) as one partial-state file; resets the accumulator.
  Status writePartial(const std::string& path, const std::string& meta);

  // Merges several accumulators' counts and reduces them, checking the totals.
  // In memory, partition by partition on `threads` threads (no sorting, no files),
  // when none spilled and their layouts agree; otherwise through partial-state
  // files in the first one's spill folder. The result does not depend on `threads`.
  // The accumulators are consumed. Polls the first one's cancel token.
  static Status reduceAll(const std::vector<Accumulator*>& accs, uint32_t threads, Reduction& red);
  // Writes several accumulators' counts (those sharing tables included) as one
  // partial-state file, merging through files in the first one's spill folder.
  // The accumulators are consumed.
  static Status writeAll(const std::vector<Accumulator*>& accs, const std::string& path, const std::string& meta);
  // Drops all counts.
  void reset();

  uint64_t tokens() const { return tokens_; }
  uint64_t documents() const { return documents_; }
  // Whether the current tables are the ones shared with the domain's other accumulators.
  bool sharesTables() const { return sharedInUse_; }
  uint64_t spills() const { return spillPaths_.size() + (shared_ != nullptr ? shared_->spills() : 0); }
  // Bytes held by the per-token-id counts (unigrams and document-final tokens).
  uint64_t idCountBytes() const { return unigrams_.bytes() + docFinal_.bytes(); }
  const char* kernelName() const { return kernels_ != nullptr ? kernels_->name : "none"; }

 private:
  Status countChunk(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats* stats);
  template <typename T>
  Status addNarrow(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st);
  template <typename T>
  Status addWide(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st);
  template <typename T>
  Status addSampled(const TokenSource& src, uint64_t begin, uint64_t end, ChunkStats& st);
  Status flushPending();
  template <typename T>
  void countDocs(const T* t, uint64_t s, uint64_t u, uint64_t ds, uint64_t de, int64_t sep, ChunkStats& st);
  Status checkRange(const TokenSource& src, uint64_t begin, uint64_t end, uint64_t limit, bool isSigned);
  // Switches the tables to `want` (spilling what the previous mode holds).
  // `compact` describes the keys of TableMode::Compact.
  Status ensureMode(TableMode want, SharedTables::Kind compact = SharedTables::Kind());
  // E_CHANGED if any input changed under a member; then aggregates pending keys.
  static Status checkWhole(const std::vector<Accumulator*>& accs);
  // Merges the members' counts through partial-state files into `out` (none: only
  // reduced into `red`), shared tables once.
  static Status mergeThroughFiles(const std::vector<Accumulator*>& accs, const std::string& out, const std::string& meta,
                                  Reduction* red);
  static bool canReduceInMemory(const std::vector<Accumulator*>& accs);
  // Folds partition p of all accumulators into one table and adds its counts to `red`.
  static void reducePartition(const std::vector<Accumulator*>& accs, TableMode mode, SharedTables* shared, uint32_t p,
                              Reduction& red);
  // writePartial without the shared-tables check (reduceAll writes those tables itself).
  Status writeOwnPartial(const std::string& path, const std::string& meta);
  bool reserveScatter(size_t bytes);
  void releaseScatter();
  void leaveShared();
  Status drainAllInto(PartialWriter& w);
  Status spill();
  uint32_t flags() const;
  size_t tableBytes() const;
  void drainAll(std::vector<std::pair<uint64_t, uint64_t>>& out);

  AccumulatorConfig cfg_;
  const Kernels* kernels_ = nullptr;
  TableMode mode_ = TableMode::None;
  std::shared_ptr<const PartitionLayout> layout_;  // narrow keys; set by the first batch
  uint32_t compactRightBits_ = 0;
  std::vector<PartitionTable<uint32_t>> narrow_;  // empty when shared_ holds the 32-bit-key tables
  std::shared_ptr<SharedTables> shared_;
  bool sharedInUse_ = false;  // the current mode's tables are shared_'s, not narrow_
  uint32_t member_ = 0;  // this accumulator's number among shared_'s members
  std::vector<PartitionTable<uint64_t>> wide_;
  uint32_t wideShift_ = 0;
  IdCounts unigrams_;
  IdCounts docFinal_;
  HugeBuffer scatter_;  // scatter buffer (keys grouped by partition)
  std::vector<uint8_t> block_;    // small packing block
  std::vector<uint32_t> seps_;
  uint64_t tokens_ = 0, documents_ = 0, separators_ = 0;
  bool poisoned_ = false;  // a guarded read was abandoned mid-chunk
  std::vector<std::string> spillPaths_;
  uint64_t batchTokens_ = 0;
  std::vector<uint64_t> pending_;  // sampled mode: grouped keys awaiting aggregation
};

// The sampling hash of a document: a 64-bit mix of the seed, the file and the
// document's first token position. Exposed for tests.
uint64_t documentHash(uint64_t seed, uint64_t fileHash, uint64_t docStart);
uint64_t pathHash(const std::string& path);
// The file name without its folder: samples do not change when a corpus moves.
std::string baseName(const std::string& path);


}  // namespace bimix
