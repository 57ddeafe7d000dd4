// libFuzzer target: the .npy header parser, as the token reader and the embeddings reader use it.
#include <cstdint>

#include "../formats/source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bimix::NpyHeader h;
  bimix::Status s = bimix::parseNpyHeader(data, size, "fuzz.npy", h);
  if (s.ok()) {
    FUZZ_CHECK(h.dataOffset <= size, "data offset past the file");
    FUZZ_CHECK(h.dataOffset + h.count * bimix::dtypeWidth(h.dtype) == size, "count disagrees with the size");
  } else {
    FUZZ_CHECK(s.code.rfind("E_", 0) == 0 && !s.message.empty(), "error without code or message");
    FUZZ_CHECK(s.offset <= static_cast<int64_t>(size), "error offset past the file");
  }
  bimix::EmbeddingsNpy e;
  bimix::Status es = bimix::parseEmbeddingsNpy(data, size, "fuzz.npy", e);
  if (es.ok()) {
    FUZZ_CHECK(e.dims >= 1 && e.dims <= 4096, "embedding dimension out of range");
    FUZZ_CHECK(e.dataOffset + e.rows * e.dims * 4 == size, "shape disagrees with the size");
  } else {
    FUZZ_CHECK(es.code.rfind("E_", 0) == 0 && !es.message.empty(), "error without code or message");
    FUZZ_CHECK(es.offset <= static_cast<int64_t>(size), "error offset past the file");
  }
  return 0;
}
