// libFuzzer target: the llm.c shard header parser. Inputs shorter than the
// 1024-byte header are padded from a selector byte so that the interesting
// magic/version/count combinations are reachable.
#include <cstdint>
#include <cstring>
#include <vector>

#include "../formats/source.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::vector<uint8_t> buf(data + 1, data + size);
  if ((data[0] & 1) != 0) {
    // Structured: a valid magic, then the fuzz bytes, padded to the header size
    // plus a tail whose length the selector picks.
    int32_t magic = (data[0] & 2) != 0 ? 20240801 : 20240520;
    if (buf.size() < 4) buf.resize(4, 0);
    std::memcpy(buf.data(), &magic, 4);
    size_t tail = static_cast<size_t>(data[0] >> 2) * 2;
    if (buf.size() < 1024 + tail) buf.resize(1024 + tail, 0);
  }
  bimix::LlmcHeader h;
  bimix::Status s = bimix::parseLlmcHeader(buf.data(), buf.size(), "fuzz.bin", h);
  if (s.ok()) {
    FUZZ_CHECK(1024 + h.count * bimix::dtypeWidth(h.dtype) == buf.size(), "count disagrees with the size");
    FUZZ_CHECK(h.separator == 50256 || h.separator == 128000, "unexpected separator");
  } else {
    FUZZ_CHECK(s.code.rfind("E_", 0) == 0 && !s.message.empty(), "error without code or message");
    FUZZ_CHECK(s.offset <= static_cast<int64_t>(buf.size()), "error offset past the file");
  }
  return 0;
}
