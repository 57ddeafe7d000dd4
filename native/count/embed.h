// Window embeddings for the von Neumann entropy (VNE) proxy. With no embedding
// model at hand, a window of `window` consecutive token positions of a file is
// embedded by a fixed, seeded random projection of its hashed token-count vector
// (each non-separator token adds a seeded +-1 vector), then L2-normalised. Windows
// have one length whatever the documents' lengths, so VNE compares content, not
// length. Their starts are sampled uniformly over token positions by a bottom-k
// sketch over a seeded hash of (file, position): the k smallest hashes corpus-wide,
// whatever the chunking.
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
  uint32_t maxSamples = 2048;  // windows kept (the k of the bottom-k sketch)
  uint32_t window = 512;       // token positions per window
  CancelToken cancel;           // polled per token position scanned: E_INTERRUPTED when set
};

struct EmbeddedWindow {
  uint64_t hash;
  std::vector<double> vector;  // unit length
};

// Embeds the windows that start in [begin, end) (and end inside the file), keeping
// the `maxSamples` with the smallest hashes, sorted by hash.
Status embedChunk(const TokenSource& src, uint64_t begin, uint64_t end, const EmbedConfig& cfg,
                  std::vector<EmbeddedWindow>& out);

}  // namespace bimix
