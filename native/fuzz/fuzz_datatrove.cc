// libFuzzer target: the datatrove .ds.index parser plus document-end
// normalisation. The first 2 bytes pick the token count of the .ds file.
#include <cstdint>
#include <cstring>
#include <vector>

#include "../formats/source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint16_t t;
  std::memcpy(&t, data, 2);
  uint64_t tokens = t;
  std::vector<uint64_t> ends;
  bimix::Status s = bimix::parseDatatroveIndex(data + 2, size - 2, tokens, "fuzz.ds.index", ends);
  if (!s.ok()) {
    FUZZ_CHECK(s.code.rfind("E_", 0) == 0 && !s.message.empty(), "error without code or message");
    return 0;
  }
  FUZZ_CHECK(ends.size() == (size - 2) / 8, "one end per u64");
  s = bimix::normaliseDocEnds(ends, tokens, "fuzz.ds.index");
  FUZZ_CHECK(s.ok(), "parsed ends must normalise");
  FUZZ_CHECK(!ends.empty() && ends.back() == tokens, "last end must be the token count");
  for (size_t i = 1; i < ends.size(); ++i) FUZZ_CHECK(ends[i - 1] <= ends[i], "ends must not decrease");
  return 0;
}
