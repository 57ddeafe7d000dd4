// libFuzzer target: random token streams, separators, explicit document ends and
// chunkings fed to one or two Accumulators; the merged counts must equal a
// brute-force count of the same documents.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "../count/accumulator.h"
#include "../count/kernels.h"
#include "../state/merge.h"
#include "../state/partial_file.h"
#include "fuzz_util.h"

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  const uint8_t kind = data[0] % 3;  // 0 u8, 1 u16, 2 u32
  const uint8_t opts = data[1];
  Rng rng{static_cast<uint64_t>(data[2]) | (static_cast<uint64_t>(data[3]) << 8)};
  const uint32_t alphabet = 2 + data[4] % 12;
  const uint8_t docMode = data[5];
  const uint8_t* in = data + 6;
  const size_t n = std::min<size_t>(size - 6, 4096);

  // Tokens: a small alphabet so bigrams repeat; u32 streams also get large ids.
  std::vector<uint32_t> tok(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = in[i] % alphabet;
    if (kind == 2 && (in[i] & 0x80) != 0) v = (in[i] * 2654435761u) % (1u << 18);  // large ids, bounded so dense arrays stay cheap
    tok[i] = v;
  }
  const int64_t sep = (opts & 1) != 0 ? static_cast<int64_t>(opts >> 1) % alphabet : -1;
  std::vector<uint64_t> docEnds;
  if ((docMode & 1) != 0) {
    for (size_t i = 0; i <= n; ++i)
      if (rng.below(8) == 0) docEnds.push_back(i);
  }

  // Brute force.
  std::map<uint32_t, uint64_t> uni;
  std::map<uint64_t, uint64_t> bi;
  uint64_t docs = 0, tokens = 0;
  {
    std::vector<uint64_t> ends = docEnds;
    if (ends.empty() || ends.back() != n) ends.push_back(n);
    uint64_t start = 0;
    for (uint64_t e : ends) {
      uint64_t i = start;
      while (i < e) {
        // one separator-delimited document inside [start, e)
        uint64_t j = i;
        while (j < e && !(sep >= 0 && tok[j] == sep)) ++j;
        if (j > i) ++docs;
        for (uint64_t x = i; x < j; ++x) {
          uni[tok[x]] += 1;
          ++tokens;
          if (x + 1 < j) bi[(static_cast<uint64_t>(tok[x]) << 32) | tok[x + 1]] += 1;
        }
        i = j + 1;
      }
      start = e;
    }
  }

  // The file.
  const std::string dir = bimix_fuzz::scratchDir();
  const std::string path = dir + "/tokens.bin";
  std::vector<uint8_t> bytes;
  const char* dtype = kind == 0 ? "u8" : kind == 1 ? "u16" : "u32";
  for (uint32_t v : tok) {
    if (kind == 0) bytes.push_back(static_cast<uint8_t>(v));
    else if (kind == 1) { uint16_t w = static_cast<uint16_t>(v); bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&w), reinterpret_cast<uint8_t*>(&w) + 2); }
    else bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 4);
  }
  FUZZ_CHECK(bimix_fuzz::writeFile(path, bytes.data(), bytes.size()), "cannot write scratch file");
  bimix::SourceSpec spec;
  spec.path = path;
  spec.format = "raw";
  spec.dtype = dtype;
  spec.eos = sep;
  if (!docEnds.empty()) {
    spec.hasDocEnds = true;
    spec.docEnds = docEnds;
  }
  std::shared_ptr<bimix::TokenSource> src;
  bimix::Status s = bimix::openSource(spec, src);
  if (n == 0) {
    FUZZ_CHECK(!s.ok() && s.code == "E_EMPTY", "empty file must be E_EMPTY");
    return 0;
  }
  FUZZ_CHECK(s.ok(), "openSource failed on a valid raw file");

  // Chunking and accumulators.
  const bool avx2 = (opts & 0x40) != 0 && bimix::avx2Kernels() != nullptr;
  const size_t nAcc = 1 + (opts >> 7);
  std::vector<std::unique_ptr<bimix::Accumulator>> accs;
  for (size_t a = 0; a < nAcc; ++a) {
    bimix::AccumulatorConfig cfg;
    cfg.memoryBytes = 8ULL << 20;
    cfg.spillDir = dir;
    cfg.simd = avx2 ? "avx2" : "scalar";
    cfg.batchTokens = 1 + (docMode >> 1) % 64;
    accs.push_back(std::make_unique<bimix::Accumulator>(cfg));
    FUZZ_CHECK(accs.back()->init().ok(), "init failed");
  }
  uint64_t pos = 0, chunkNo = 0;
  while (pos < n) {
    uint64_t len = 1 + rng.below(std::max<uint64_t>(1, n / 3 + 1));
    uint64_t end = std::min<uint64_t>(n, pos + len);
    bimix::ChunkStats st;
    s = accs[chunkNo++ % nAcc]->addChunk(*src, pos, end, &st);
    FUZZ_CHECK(s.ok(), "addChunk failed");
    pos = end;
  }
  std::vector<std::string> parts;
  for (size_t a = 0; a < nAcc; ++a) {
    parts.push_back(dir + "/part" + std::to_string(a) + ".bimixps");
    FUZZ_CHECK(accs[a]->writePartial(parts.back(), "{}").ok(), "writePartial failed");
  }
  const std::string merged = dir + "/merged.bimixps";
  bimix::Reduction red;
  s = bimix::mergePartials(parts, merged, "{}", &red);
  FUZZ_CHECK(s.ok(), "mergePartials failed");
  FUZZ_CHECK(red.tokens == tokens, "token count differs");
  FUZZ_CHECK(red.documents == docs, "document count differs");
  uint64_t biTotal = 0;
  for (const auto& kv : bi) biTotal += kv.second;
  FUZZ_CHECK(red.bigramTotal == biTotal, "bigram total differs");
  FUZZ_CHECK(red.bigramDistinct == bi.size(), "bigram distinct differs");
  for (size_t id = 0; id < red.unigrams.size(); ++id) {
    auto it = uni.find(static_cast<uint32_t>(id));
    uint64_t want = it == uni.end() ? 0 : it->second;
    FUZZ_CHECK(red.unigrams[id] == want, "unigram count differs");
  }
  for (const auto& kv : uni) FUZZ_CHECK(kv.first < red.unigrams.size(), "unigram missing");
  bimix::PartialReader r;
  FUZZ_CHECK(r.open(merged).ok(), "merged file unreadable");
  auto cur = r.bigrams();
  uint64_t k, c;
  auto it = bi.begin();
  while (cur.next(k, c)) {
    FUZZ_CHECK(it != bi.end() && it->first == k && it->second == c, "bigram differs");
    ++it;
  }
  FUZZ_CHECK(cur.ok() && it == bi.end(), "bigram stream incomplete");
  return 0;
}
