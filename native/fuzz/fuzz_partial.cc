// libFuzzer target: the partial-state reader and the k-way merge. Selector bit 0
// chooses between the raw input as a file (exercises magic/version/checksum
// checks) and a "fixed-up" file whose header sizes and checksums are made
// consistent with fuzzed sections (exercises the varint decoders and merge).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../state/merge.h"
#include "../state/partial_file.h"
#include "fuzz_util.h"

namespace {

void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }

std::vector<uint8_t> fixedUp(const uint8_t* data, size_t size) {
  // 8 parameter bytes, then the payload.
  uint8_t prm[8] = {0};
  std::memcpy(prm, data, size < 8 ? size : 8);
  const uint8_t* payload = size > 8 ? data + 8 : data;
  uint64_t body = size > 8 ? size - 8 : 0;
  uint64_t meta = body == 0 ? 0 : prm[1] % (body + 1);
  uint64_t rest = body - meta;
  uint64_t uni = rest == 0 ? 0 : prm[2] % (rest + 1);
  rest -= uni;
  uint64_t df = rest == 0 ? 0 : prm[3] % (rest + 1);
  uint64_t bi = rest - df;
  std::vector<uint8_t> f(bimix::kPartialHeaderBytes + body, 0);
  std::memcpy(f.data(), "BIMIXPS1", 8);
  put32(f, 8, bimix::kPartialVersion);
  put32(f, 12, prm[0] & 1);
  put64(f, 16, prm[6]);       // tokens
  put64(f, 24, prm[7] % 16);  // documents
  put64(f, 32, 0);            // separators
  put64(f, 40, 0);            // bigramTotal (informational)
  put64(f, 48, prm[4] % 64);  // bigramDistinct
  put64(f, 56, prm[5] % 32);  // unigramEntries
  put64(f, 64, (prm[5] >> 5) % 8);  // docFinalEntries
  put64(f, 72, meta);
  put64(f, 80, uni);
  put64(f, 88, df);
  put64(f, 96, bi);
  if (body > 0) std::memcpy(f.data() + bimix::kPartialHeaderBytes, payload, body);
  put64(f, 104, bimix::checksumOf(f.data() + bimix::kPartialHeaderBytes, body));
  put64(f, 112, bimix::checksumOf(f.data(), 112));
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static_assert(bimix::kPartialHeaderBytes == 120, "header layout changed");
  std::vector<uint8_t> file = (data[0] & 1) != 0 ? fixedUp(data + 1, size - 1)
                                                 : std::vector<uint8_t>(data + 1, data + size);
  const std::string dir = bimix_fuzz::scratchDir();
  const std::string a = dir + "/a.bimixps", out = dir + "/out.bimixps";
  FUZZ_CHECK(bimix_fuzz::writeFile(a, file.data(), file.size()), "cannot write scratch file");

  bimix::PartialReader r;
  bimix::Status s = r.open(a);
  if (!s.ok()) {
    FUZZ_CHECK(s.code == "E_STATE" || s.code == "E_IO", "unexpected error code from reader");
    return 0;
  }
  std::vector<uint64_t> dense;
  bimix::Status su = r.addUnigrams(dense);
  bimix::Status sd = r.addDocFinal(dense);
  // The cursor refuses a zero delta and one that wraps past 2^64: keys always ascend.
  auto cur = r.bigrams();
  uint64_t k, c, prev = 0, n = 0;
  bool first = true, ascending = true;
  while (cur.next(k, c)) {
    if (!first && k <= prev) ascending = false;
    FUZZ_CHECK(ascending, "bigram keys must ascend");
    FUZZ_CHECK(c > 0, "zero bigram count");
    prev = k;
    first = false;
    ++n;
  }
  bool streamOk = cur.ok() && n == r.counts().bigramDistinct;

  // Merge the file with itself: succeeds exactly when every section decodes
  // (and the counts are consistent); the output must then read back.
  bimix::Reduction red;
  s = bimix::mergePartials({a, a}, out, "{}", &red);
  if (s.ok()) {
    FUZZ_CHECK(su.ok() && sd.ok() && streamOk, "merge accepted a corrupt file");
    if (ascending) FUZZ_CHECK(red.bigramDistinct == n, "merged distinct differs from the input");
    bimix::PartialReader back;
    FUZZ_CHECK(back.open(out).ok(), "merged output does not read back");
    if (ascending) FUZZ_CHECK(back.counts().bigramDistinct == n, "merged output lost bigrams");
    FUZZ_CHECK(back.counts().tokens == 2 * r.counts().tokens, "merged tokens differ");
  } else {
    FUZZ_CHECK(s.code == "E_STATE", "merge failed with an unexpected code");
  }
  return 0;
}
