// Document embeddings for the von Neumann entropy (VNE) proxy. With no embedding
// model at hand, a document is embedded by a fixed, seeded random projection of
// its hashed token-count vector (each token adds a seeded +-1 vector), then
// L2-normalised. Documents are sampled by a bottom-k sketch over a seeded hash of
// (file, document start): the k smallest hashes corpus-wide, whatever the chunking.
#pragma once
#include <cstdint>
#include <vector>

#include "../common/cancel.h"
#include "../common/status.h"
#include "../formats/source.h"

namespace bimix {

struct EmbedConfig {
  uint64_t seed = 0;
  uint32_t dims = 256;
  uint32_t maxDocuments = 2048;
  CancelToken cancel;  // polled per token position scanned: E_INTERRUPTED when set
};

struct EmbeddedDocument {
  uint64_t hash;
  std::vector<double> vector;  // unit length
};

// Embeds the documents that start in [begin, end) and keeps the `maxDocuments`
// with the smallest hashes, sorted by hash.
Status embedChunk(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedDocument>& out);

}  // namespace bimix
