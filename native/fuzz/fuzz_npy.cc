// libFuzzer target: the .npy header parser.
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
  return 0;
}
