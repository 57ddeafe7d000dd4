// libFuzzer target: the Arrow IPC metadata walk and the buffer-bounds checks.
// Whatever the bytes, parsing either fails with a coded error or yields batches
// whose every value lies inside the input and whose row ends rise to the token count.
#include <cstdint>

#include "../formats/source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first byte picks the column, so both the default and a named one are walked.
  if (size < 1) return 0;
  const std::string column = (data[0] & 1) != 0 ? "tokens" : "";
  bimix::ArrowLayout layout;
  bimix::Status s = bimix::parseArrow(data + 1, size - 1, "fuzz.arrow", column, layout);
  if (!s.ok()) {
    FUZZ_CHECK(s.code.rfind("E_", 0) == 0 && !s.message.empty(), "error without code or message");
    FUZZ_CHECK(s.offset <= static_cast<int64_t>(size), "error offset past the file");
    return 0;
  }
  const uint64_t w = bimix::dtypeWidth(layout.dtype);
  volatile uint64_t sink = 0;
  for (const bimix::ArrowBatch& b : layout.batches) {
    FUZZ_CHECK(b.valuesByte <= size - 1 && b.tokens <= (size - 1 - b.valuesByte) / w, "values outside the input");
    FUZZ_CHECK(b.ends.size() == b.rows, "one end per row");
    uint64_t prev = 0;
    for (uint64_t e : b.ends) {
      FUZZ_CHECK(e >= prev && e <= b.tokens, "row ends out of order or past the tokens");
      prev = e;
    }
    FUZZ_CHECK(b.rows == 0 || prev == b.tokens, "last row does not end at the token count");
    // Touch every value so that ASan sees any read outside the input.
    for (uint64_t i = 0; i < b.tokens * w; ++i) sink = sink + data[1 + b.valuesByte + i];
  }
  return 0;
}
