// The partial-state file: exact counts of part of a corpus, in a form that merges
// exactly with others. Spill runs, per-worker results and Slurm task outputs are
// all this one format.
//
// Layout (little-endian):
//   header (kHeaderBytes): magic "BIMIXPS1", u32 format version, u32 flags,
//     u64 tokens, documents, separators, bigramTotal, bigramDistinct,
//     unigramEntries, docFinalEntries, u64 metaBytes, unigramBytes, docFinalBytes,
//     bigramBytes, u64 payloadChecksum, u64 headerChecksum (of the bytes before it)
//   meta (metaBytes): UTF-8 JSON written by the caller (configuration, sources and ranges)
//   unigram section: (varint id delta, varint count) x unigramEntries, ids ascending
//   docFinal section: the same for counts of document-final tokens
//   bigram section: (varint key delta, varint count) x bigramDistinct, keys ascending,
//     key = left << 32 | right
// payloadChecksum covers meta and all sections.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../common/mapped_file.h"
#include "../common/status.h"
#include "checksum.h"

namespace bimix {

constexpr uint32_t kPartialVersion = 1;
constexpr uint32_t kFlagUnigramsOnly = 1;
// Token ids are limited to 24 bits (ids up to 2^24 - 2): dense per-id arrays stay
// bounded, and the sampled mode's grouped keys have room for an end marker.
constexpr uint64_t kMaxTokenId = (1ULL << 24) - 1;
// Sampled mode: keys are left << 40 | right << 8 | group, and right == kEndMarker
// marks a document-final token (so unigram counts follow from the keys alone).
constexpr uint32_t kFlagGrouped = 2;
constexpr uint64_t kEndMarker = 0xFFFFFF;
constexpr size_t kPartialHeaderBytes = 8 + 4 + 4 + 7 * 8 + 4 * 8 + 2 * 8;

struct PartialCounts {
  uint32_t flags = 0;  // kFlagUnigramsOnly
  uint64_t tokens = 0;
  uint64_t documents = 0;
  uint64_t separators = 0;
  uint64_t bigramTotal = 0;
  uint64_t bigramDistinct = 0;
  uint64_t unigramEntries = 0;
  uint64_t docFinalEntries = 0;
};

// Streams a partial file to a temporary name and renames it into place on finish().
class PartialWriter {
 public:
  ~PartialWriter();
  Status open(const std::string& path, const std::string& meta);
  // Sparse (id, count) pairs, ascending ids, zero counts skipped.
  Status writeUnigrams(const std::vector<uint64_t>& dense) { return writeUnigrams(dense.data(), dense.size(), {}); }
  Status writeDocFinal(const std::vector<uint64_t>& dense) { return writeDocFinal(dense.data(), dense.size(), {}); }
  // Counts of ids [0, n) from `dense`, then of the ids in `above` (ascending, all >= n).
  Status writeUnigrams(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above);
  Status writeDocFinal(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above);
  // Bigram keys must arrive strictly ascending.
  void addBigram(uint64_t key, uint64_t count) {
    if (__builtin_expect(counts_.bigramDistinct > 0 && key <= lastKey_, 0)) {
      failed_ = true;
      error_ = "bigram keys out of order (internal error)";
    }
    putVarint(key - lastKey_);
    putVarint(count);
    lastKey_ = key;
    counts_.bigramTotal += count;
    counts_.bigramDistinct += 1;
    if (buf_.size() >= kFlushBytes) flushBuffer();
  }
  Status finish(uint64_t tokens, uint64_t documents, uint64_t separators, uint32_t flags = 0);
  void abandon();

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  Status writeDense(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above,
                    uint64_t& entries, uint64_t& bytes);
  void putVarint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(v));
  }
  void flushBuffer();
  std::string path_, tmp_;
  int fd_ = -1;
  bool failed_ = false;
  std::string error_;
  std::vector<uint8_t> buf_;
  Checksum sum_;
  PartialCounts counts_;
  uint64_t metaBytes_ = 0, unigramBytes_ = 0, docFinalBytes_ = 0, bigramBytes_ = 0, written_ = 0;
  uint64_t lastKey_ = 0;
};

// Maps and validates a partial file; sections are then decoded on demand.
class PartialReader {
 public:
  // Validates magic, version, header checksum, sizes and the payload checksum.
  Status open(const std::string& path);
  const PartialCounts& counts() const { return counts_; }
  const std::string& meta() const { return meta_; }
  const std::string& path() const { return file_.path(); }
  // Adds this file's unigram / docFinal counts into dense vectors (grown as needed).
  Status addUnigrams(std::vector<uint64_t>& dense) const;
  Status addDocFinal(std::vector<uint64_t>& dense) const;

  // Streaming cursor over the bigram section.
  class BigramCursor {
   public:
    bool next(uint64_t& key, uint64_t& count);  // false at the end or on corruption (see ok())
    bool ok() const { return ok_; }
   private:
    friend class PartialReader;
    const uint8_t* p_ = nullptr;
    const uint8_t* end_ = nullptr;
    uint64_t key_ = 0, left_ = 0;
    bool first_ = true, ok_ = true;
  };
  BigramCursor bigrams() const;

 private:
  Status addSection(const uint8_t* p, uint64_t bytes, uint64_t entries, std::vector<uint64_t>& dense) const;
  MappedFile file_;
  PartialCounts counts_;
  std::string meta_;
  const uint8_t* unigrams_ = nullptr;
  const uint8_t* docFinal_ = nullptr;
  const uint8_t* bigrams_ = nullptr;
  uint64_t unigramBytes_ = 0, docFinalBytes_ = 0, bigramBytes_ = 0;
};

// Decodes one LEB128 varint; false on overrun or more than 10 bytes.
inline bool getVarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p >= end) return false;
    uint8_t b = *p++;
    if (shift == 63 && (b & 0x7E) != 0) return false;
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace bimix
