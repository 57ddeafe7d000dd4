// libFuzzer target: the Megatron .idx parser. The first 4 bytes pick the .bin
// size the index is checked against; the rest is the .idx file.
#include <cstdint>
#include <cstring>

#include "../formats/source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  uint32_t bin;
  std::memcpy(&bin, data, 4);
  uint64_t binSize = bin % (1u << 20);
  bimix::MegatronIndex idx;
  bimix::Status s = bimix::parseMegatronIndex(data + 4, size - 4, binSize, "fuzz.idx", idx);
  if (s.ok()) {
    uint32_t w = bimix::dtypeWidth(idx.dtype);
    FUZZ_CHECK(idx.totalTokens * w == binSize, "index accepted but does not cover .bin");
    FUZZ_CHECK(idx.docEndTokens.size() == idx.documents, "document count mismatch");
    uint64_t prev = 0;
    for (uint64_t e : idx.docEndTokens) {
      FUZZ_CHECK(e >= prev && e <= idx.totalTokens, "document ends out of order");
      prev = e;
    }
    FUZZ_CHECK(bimix::normaliseDocEnds(idx.docEndTokens, idx.totalTokens, "fuzz.idx").ok(), "normalise failed");
  } else {
    FUZZ_CHECK(s.code.rfind("E_", 0) == 0 && !s.message.empty(), "error without code or message");
    FUZZ_CHECK(s.offset < static_cast<int64_t>(size), "error offset past the file");
  }
  return 0;
}
