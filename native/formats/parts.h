// Walking a source made of several runs (Arrow record batches) chunk piece by
// chunk piece, each piece handed to the kernels as an ordinary contiguous source.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "source.h"

namespace bimix {

// Narrows 64-bit ids at positions [lo, hi) of `part` into `scratch` and returns a
// 32-bit view over them (positions unchanged). Ids outside [0, limit) are
// E_TOKEN_RANGE with their file offset; `vocab` (0: none) names the limit's origin.
Status narrowPart(const TokenSource& part, uint64_t lo, uint64_t hi, uint64_t limit, uint64_t vocab,
                  std::vector<uint32_t>& scratch, TokenSource& view);

// Calls f(source, b, e) for every piece [b, e) of [begin, end) that lies in one
// part of `src` (or once with src itself when it has no parts). `limit` and
// `vocab` bound narrowed 64-bit ids as in narrowPart.
template <typename F>
Status forEachPart(const TokenSource& src, uint64_t begin, uint64_t end, uint64_t limit, uint64_t vocab, F&& f) {
  if (src.parts.empty()) return f(src, begin, end);
  if (begin > end || end > src.tokens)
    return Status::Error(ec::E_USAGE, src.path, -1,
                         "chunk [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside the " +
                             std::to_string(src.tokens) + " tokens of the file");
  auto it = std::upper_bound(src.parts.begin(), src.parts.end(), begin,
                             [](uint64_t pos, const TokenSource& p) { return pos < p.tokens; });
  std::vector<uint32_t> scratch;
  for (; it != src.parts.end() && it->first < end; ++it) {
    const TokenSource& part = *it;
    uint64_t b = std::max(begin, part.first), e = std::min(end, part.tokens);
    if (b >= e) continue;
    if (part.dtype != DType::I64) {
      BIMIX_TRY(f(part, b, e));
      continue;
    }
    // Kernels may read one token on either side of a piece (separator checks,
    // the bigram leaving it), so those are narrowed too.
    TokenSource view;
    BIMIX_TRY(narrowPart(part, b > part.first ? b - 1 : b, e < part.tokens ? e + 1 : e, limit, vocab, scratch, view));
    BIMIX_TRY(f(view, b, e));
  }
  return Status::Ok();
}

}  // namespace bimix
