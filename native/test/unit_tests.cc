// C++ unit tests of the native core: parsers, kernels (every AVX2 kernel against
// its scalar reference), the Accumulator against a brute-force count, the
// partial-state file (round trip, corruption) and mergePartials. A tiny harness
// of our own: CHECK records a failure and continues; main() returns non-zero if
// anything failed. Meant to run under ASan/UBSan (scripts/test-native.sh).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <atomic>
#include <thread>

#include "../common/fault_guard.h"
#include "../count/accumulator.h"
#include "../count/kernels.h"
#include "../formats/source.h"
#include "../state/checksum.h"
#include "../state/grouped.h"
#include "../state/merge.h"
#include "../state/partial_file.h"

namespace {

int gFailures = 0;
int gChecks = 0;
std::string gCurrent;

#define CHECK(cond)                                                                          \
  do {                                                                                       \
    ++gChecks;                                                                               \
    if (!(cond)) {                                                                           \
      ++gFailures;                                                                           \
      std::fprintf(stderr, "FAIL [%s] %s:%d: %s\n", gCurrent.c_str(), __FILE__, __LINE__, #cond); \
    }                                                                                        \
  } while (0)
#define CHECK_EQ(a, b)                                                                                  \
  do {                                                                                                  \
    ++gChecks;                                                                                          \
    auto _a = (a);                                                                                      \
    auto _b = (b);                                                                                      \
    if (!(_a == _b)) {                                                                                  \
      ++gFailures;                                                                                      \
      std::fprintf(stderr, "FAIL [%s] %s:%d: %s == %s (%lld vs %lld)\n", gCurrent.c_str(), __FILE__, __LINE__, #a, #b, \
                   static_cast<long long>(_a), static_cast<long long>(_b));                             \
    }                                                                                                   \
  } while (0)
// An error status with the given code (and offset, when >= -1 is asked).
#define CHECK_ERR(st, wantCode, wantOffset)                                                                   \
  do {                                                                                                        \
    ++gChecks;                                                                                                \
    bimix::Status _s = (st);                                                                                  \
    if (_s.ok() || _s.code != (wantCode) || ((wantOffset) != -2 && _s.offset != (wantOffset)) ||              \
        _s.message.empty()) {                                                                                 \
      ++gFailures;                                                                                            \
      std::fprintf(stderr, "FAIL [%s] %s:%d: want %s@%lld, got '%s'@%lld: %s\n", gCurrent.c_str(), __FILE__, __LINE__, \
                   (wantCode), static_cast<long long>(wantOffset), _s.code.c_str(), static_cast<long long>(_s.offset), \
                   _s.message.c_str());                                                                       \
    }                                                                                                         \
  } while (0)
constexpr int64_t kAny = -2;

struct TestCase {
  const char* name;
  std::function<void()> fn;
};
std::vector<TestCase>& registry() {
  static std::vector<TestCase> r;
  return r;
}
struct Register {
  Register(const char* n, std::function<void()> f) { registry().push_back({n, std::move(f)}); }
};
#define TEST(name)                                \
  void name();                                    \
  Register reg_##name(#name, name);               \
  void name()

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t next() {
    s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
};

std::string scratch() {
  static std::string dir = [] {
    const char* base = std::getenv("TMPDIR");
    std::string d = std::string(base != nullptr ? base : "/tmp") + "/bimix-unit-" + std::to_string(::getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}
std::vector<uint8_t> readFile(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

template <typename T>
void put(std::vector<uint8_t>& b, T v) {
  uint8_t tmp[sizeof(T)];
  std::memcpy(tmp, &v, sizeof(T));
  b.insert(b.end(), tmp, tmp + sizeof(T));
}
template <typename T>
void putAt(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof(T));
}

// ---- Megatron ---------------------------------------------------------------

// An .idx with sequences of the given lengths, tiling .bin, and document_indices.
std::vector<uint8_t> megatronIdx(uint8_t code, const std::vector<int32_t>& lens, const std::vector<int64_t>& docIdx, uint32_t width) {
  std::vector<uint8_t> b;
  const char magic[9] = {'M', 'M', 'I', 'D', 'I', 'D', 'X', 0, 0};
  b.insert(b.end(), magic, magic + 9);
  put<uint64_t>(b, 1);
  put<uint8_t>(b, code);
  put<uint64_t>(b, lens.size());
  put<uint64_t>(b, docIdx.size());
  for (int32_t l : lens) put<int32_t>(b, l);
  int64_t ptr = 0;
  for (int32_t l : lens) {
    put<int64_t>(b, ptr);
    ptr += static_cast<int64_t>(l) * width;
  }
  for (int64_t d : docIdx) put<int64_t>(b, d);
  return b;
}
constexpr size_t kIdxHeader = 34;

TEST(megatron_good) {
  // sequences 3, 0, 2, 4; documents [0,2) [2,2) [2,4)
  auto b = megatronIdx(8, {3, 0, 2, 4}, {0, 2, 2, 4}, 2);
  bimix::MegatronIndex idx;
  bimix::Status s = bimix::parseMegatronIndex(b.data(), b.size(), 18, "x.idx", idx);
  CHECK(s.ok());
  CHECK(idx.dtype == bimix::DType::U16);
  CHECK_EQ(idx.sequences, 4u);
  CHECK_EQ(idx.documents, 3u);
  CHECK_EQ(idx.totalTokens, 9u);
  CHECK((idx.docEndTokens == std::vector<uint64_t>{3, 3, 9}));
  const std::pair<uint8_t, bimix::DType> codes[] = {{1, bimix::DType::U8}, {3, bimix::DType::I16}, {4, bimix::DType::I32}, {8, bimix::DType::U16}};
  for (auto [code, dt] : codes) {
    uint32_t w = bimix::dtypeWidth(dt);
    auto c = megatronIdx(code, {5}, {0, 1}, w);
    CHECK(bimix::parseMegatronIndex(c.data(), c.size(), 5 * w, "x.idx", idx).ok());
    CHECK(idx.dtype == dt);
  }
}

TEST(megatron_bad) {
  bimix::MegatronIndex idx;
  auto good = megatronIdx(8, {3, 2}, {0, 1, 2}, 2);
  auto parse = [&](const std::vector<uint8_t>& b, uint64_t bin = 10) { return bimix::parseMegatronIndex(b.data(), b.size(), bin, "x.idx", idx); };
  CHECK(parse(good).ok());
  CHECK_ERR(bimix::parseMegatronIndex(nullptr, 0, 10, "x.idx", idx), "E_EMPTY", 0);
  {
    auto b = good;
    b[0] = 'X';
    CHECK_ERR(parse(b), "E_FORMAT", 0);
  }
  {
    std::vector<uint8_t> b = {'T', 'N', 'T', 'I', 'D', 'X', 0, 0};
    b.resize(64, 0);
    bimix::Status s = parse(b);
    CHECK_ERR(s, "E_FORMAT", 0);
    CHECK(s.message.find("TNTIDX") != std::string::npos);
  }
  {
    auto b = good;
    putAt<uint64_t>(b, 9, 2);
    CHECK_ERR(parse(b), "E_FORMAT", 9);
  }
  for (uint8_t code : {2, 5, 6, 7, 0, 9, 255}) {
    auto b = good;
    b[17] = code;
    CHECK_ERR(parse(b), "E_FORMAT", 17);
  }
  CHECK_ERR(parse(std::vector<uint8_t>(good.begin(), good.begin() + 20)), "E_TRUNCATED", 20);
  {
    auto b = good;
    putAt<uint64_t>(b, 18, uint64_t{1} << 62);  // S huge: must not allocate from it
    CHECK_ERR(parse(b), "E_TRUNCATED", kAny);
    putAt<uint64_t>(b, 18, 2);
    putAt<uint64_t>(b, 26, ~uint64_t{0});
    CHECK_ERR(parse(b), "E_TRUNCATED", kAny);
  }
  {
    auto b = good;
    b.push_back(0);
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
  }
  {
    auto b = good;
    putAt<int64_t>(b, kIdxHeader + 8 + 8, 1000);  // second pointer outside .bin
    CHECK_ERR(parse(b), "E_FORMAT", static_cast<int64_t>(kIdxHeader + 16));
    putAt<int64_t>(b, kIdxHeader + 8 + 8, 4);  // inside .bin but not contiguous
    CHECK_ERR(parse(b), "E_FORMAT", static_cast<int64_t>(kIdxHeader + 16));
    putAt<int64_t>(b, kIdxHeader + 8 + 8, -2);
    CHECK_ERR(parse(b), "E_FORMAT", static_cast<int64_t>(kIdxHeader + 16));
  }
  {
    auto b = good;
    putAt<int32_t>(b, kIdxHeader, -1);
    CHECK_ERR(parse(b), "E_FORMAT", static_cast<int64_t>(kIdxHeader));
    putAt<int32_t>(b, kIdxHeader, 0x7fffffff);
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
  }
  CHECK_ERR(parse(good, 12), "E_FORMAT", kAny);  // .bin larger than the index covers
  CHECK_ERR(parse(good, 8), "E_FORMAT", kAny);   // .bin smaller
  {
    auto b = megatronIdx(8, {3, 2}, {1, 2}, 2);  // does not start at 0
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
    b = megatronIdx(8, {3, 2}, {0, 1}, 2);  // does not end at S
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
    b = megatronIdx(8, {3, 2}, {0, 2, 1, 2}, 2);  // decreasing
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
    b = megatronIdx(8, {3, 2}, {0, 3}, 2);  // past S
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
    b = megatronIdx(8, {3, 2}, {}, 2);  // no document indices at all
    CHECK_ERR(parse(b), "E_FORMAT", kAny);
  }
}

// ---- npy ----------------------------------------------------------------------

std::vector<uint8_t> npy(const std::string& dict, uint64_t dataBytes, int version = 1) {
  std::string h = dict;
  size_t pre = version == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
  if (version == 1) put<uint16_t>(b, static_cast<uint16_t>(h.size()));
  else put<uint32_t>(b, static_cast<uint32_t>(h.size()));
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + dataBytes, 0);
  return b;
}

TEST(npy_good_and_bad) {
  bimix::NpyHeader h;
  auto parse = [&](const std::vector<uint8_t>& b) { return bimix::parseNpyHeader(b.data(), b.size(), "a.npy", h); };
  auto b = npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }", 10);
  CHECK(parse(b).ok());
  CHECK(h.dtype == bimix::DType::U16);
  CHECK_EQ(h.count, 5u);
  CHECK_EQ(h.dataOffset, 128u);  // a 60-byte dict pads to 128
  b = npy("{'descr': '<u4', 'fortran_order': False, 'shape': (3,), }", 12, 2);
  CHECK(parse(b).ok());
  CHECK(h.dtype == bimix::DType::U32);
  CHECK_EQ(h.count, 3u);
  b = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }", 0, 3);
  CHECK(parse(b).ok());
  CHECK(h.dtype == bimix::DType::I32);
  CHECK_EQ(h.count, 0u);
  CHECK_ERR(bimix::parseNpyHeader(nullptr, 0, "a.npy", h), "E_EMPTY", 0);
  b = npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }", 10);
  b[1] = 'X';
  CHECK_ERR(parse(b), "E_FORMAT", 0);
  b = npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }", 10);
  b[6] = 4;
  CHECK_ERR(parse(b), "E_FORMAT", 6);
  CHECK_ERR(parse(std::vector<uint8_t>(b.begin(), b.begin() + 8)), "E_TRUNCATED", 8);
  b = npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }", 10);
  CHECK_ERR(parse(std::vector<uint8_t>(b.begin(), b.begin() + 40)), "E_TRUNCATED", 40);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 20)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '>u2', 'fortran_order': False, 'shape': (5,), }", 10)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'shape': (5,), }", 10)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5, 2), }", 20)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (), }", 2)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (x5,), }", 10)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (99999999999999999999,), }", 10)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (9999999999999999999,), }", 10)), "E_TRUNCATED", kAny);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (6,), }", 10)), "E_TRUNCATED", 138);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }", 10)), "E_FORMAT", 136);
  CHECK_ERR(parse(npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5,), }", 11)), "E_FORMAT", 138);
}

TEST(npy_embeddings) {
  bimix::EmbeddingsNpy e;
  auto parse = [&](const std::vector<uint8_t>& b) { return bimix::parseEmbeddingsNpy(b.data(), b.size(), "e.npy", e); };
  auto withValues = [&](std::vector<uint8_t> b, const std::vector<float>& v) {
    std::memcpy(b.data() + b.size() - 4 * v.size(), v.data(), 4 * v.size());
    return b;
  };
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  auto b = withValues(npy(dict, 24), {1, 2, 3, 4, 5, 6});
  CHECK(parse(b).ok());
  CHECK_EQ(e.rows, 2u);
  CHECK_EQ(e.dims, 3u);
  CHECK_EQ(e.dataOffset, 128u);
  // The same header parser as the token reader: its preamble errors are the same.
  b[1] = 'X';
  CHECK_ERR(parse(b), "E_FORMAT", 0);
  CHECK_ERR(parse(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", 24)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", 0)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 5000), }", 20000)), "E_FORMAT", 10);
  CHECK_ERR(parse(npy(dict, 20)), "E_TRUNCATED", 128);
  CHECK_ERR(parse(npy(dict, 28)), "E_FORMAT", 128);
  CHECK_ERR(parse(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999999999, 4096), }", 0)), "E_TRUNCATED", kAny);
  const float nan = std::nanf("");
  CHECK_ERR(parse(withValues(npy(dict, 24), {1, 2, 3, 4, nan, 6})), "E_DATA", 128 + 16);
  CHECK_ERR(parse(withValues(npy(dict, 24), {1, 2, 3, 4, 5, -HUGE_VALF})), "E_DATA", 128 + 20);
  // "(5)" is not a tuple; a 1-D token array needs "(5,)".
  bimix::NpyHeader h;
  auto t = npy("{'descr': '<u2', 'fortran_order': False, 'shape': (5), }", 10);
  CHECK_ERR(bimix::parseNpyHeader(t.data(), t.size(), "a.npy", h), "E_FORMAT", 10);
}

// ---- llm.c ----------------------------------------------------------------------

std::vector<uint8_t> llmc(int32_t magic, int32_t version, int32_t count, uint64_t dataBytes) {
  std::vector<uint8_t> b(1024, 0);
  putAt<int32_t>(b, 0, magic);
  putAt<int32_t>(b, 4, version);
  putAt<int32_t>(b, 8, count);
  b.resize(1024 + dataBytes, 0);
  return b;
}

TEST(llmc_good_and_bad) {
  bimix::LlmcHeader h;
  auto parse = [&](const std::vector<uint8_t>& b) { return bimix::parseLlmcHeader(b.data(), b.size(), "s.bin", h); };
  CHECK(parse(llmc(20240520, 1, 3, 6)).ok());
  CHECK(h.dtype == bimix::DType::U16);
  CHECK_EQ(h.separator, 50256);
  CHECK_EQ(h.count, 3u);
  CHECK(parse(llmc(20240801, 7, 2, 8)).ok());
  CHECK(h.dtype == bimix::DType::U32);
  CHECK_EQ(h.separator, 128000);
  CHECK(parse(llmc(20240520, 1, 0, 0)).ok());
  CHECK_ERR(bimix::parseLlmcHeader(nullptr, 0, "s.bin", h), "E_EMPTY", 0);
  auto b = llmc(20240520, 1, 3, 6);
  CHECK_ERR(parse(std::vector<uint8_t>(b.begin(), b.begin() + 3)), "E_TRUNCATED", 3);
  CHECK_ERR(parse(std::vector<uint8_t>(b.begin(), b.begin() + 500)), "E_TRUNCATED", 500);
  CHECK_ERR(parse(llmc(12345, 1, 3, 6)), "E_FORMAT", 0);
  CHECK_ERR(parse(llmc(20240520, 0, 3, 6)), "E_FORMAT", 4);
  CHECK_ERR(parse(llmc(20240520, 1, -3, 6)), "E_FORMAT", 8);
  CHECK_ERR(parse(llmc(20240520, 1, 4, 6)), "E_TRUNCATED", 1030);
  CHECK_ERR(parse(llmc(20240520, 1, 2, 6)), "E_FORMAT", 1028);
  CHECK_ERR(parse(llmc(20240801, 1, 2, 6)), "E_TRUNCATED", 1030);
  CHECK_ERR(parse(llmc(20240801, 1, 0x7fffffff, 6)), "E_TRUNCATED", 1030);
}

// ---- datatrove --------------------------------------------------------------------

TEST(datatrove_index) {
  std::vector<uint64_t> ends;
  std::vector<uint8_t> b;
  for (uint64_t v : {2, 2, 5, 9}) put<uint64_t>(b, v);
  CHECK(bimix::parseDatatroveIndex(b.data(), b.size(), 9, "x.ds.index", ends).ok());
  CHECK((ends == std::vector<uint64_t>{2, 2, 5, 9}));
  CHECK(bimix::normaliseDocEnds(ends, 9, "x").ok());
  CHECK((ends == std::vector<uint64_t>{2, 2, 5, 9}));
  CHECK(bimix::parseDatatroveIndex(b.data(), b.size(), 12, "x.ds.index", ends).ok());
  CHECK(bimix::normaliseDocEnds(ends, 12, "x").ok());
  CHECK((ends == std::vector<uint64_t>{2, 2, 5, 9, 12}));
  CHECK(bimix::parseDatatroveIndex(nullptr, 0, 12, "x.ds.index", ends).ok());
  CHECK(bimix::normaliseDocEnds(ends, 12, "x").ok());
  CHECK((ends == std::vector<uint64_t>{12}));
  CHECK_ERR(bimix::parseDatatroveIndex(b.data(), 13, 9, "x.ds.index", ends), "E_TRUNCATED", 8);
  CHECK_ERR(bimix::parseDatatroveIndex(b.data(), b.size(), 8, "x.ds.index", ends), "E_FORMAT", 24);
  std::vector<uint8_t> dec;
  for (uint64_t v : {3, 2}) put<uint64_t>(dec, v);
  CHECK_ERR(bimix::parseDatatroveIndex(dec.data(), dec.size(), 9, "x.ds.index", ends), "E_FORMAT", 8);
  std::vector<uint64_t> bad = {3, 2};
  CHECK_ERR(bimix::normaliseDocEnds(bad, 9, "x"), "E_FORMAT", kAny);
  bad = {3, 10};
  CHECK_ERR(bimix::normaliseDocEnds(bad, 9, "x"), "E_FORMAT", kAny);
}

// ---- kernels ----------------------------------------------------------------------

template <typename K>
std::vector<K> sorted(std::vector<K> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(kernels_avx2_vs_scalar) {
  const bimix::Kernels* avx = bimix::avx2Kernels();
  const bimix::Kernels& sc = bimix::kScalarKernels;
  if (avx == nullptr) {
    std::fprintf(stderr, "  (no AVX2 on this CPU/build: AVX2 kernels not compared)\n");
    return;
  }
  CHECK(bimix::selectKernels("scalar") == &sc);
  CHECK(bimix::selectKernels("avx2") == avx);
  CHECK(bimix::selectKernels("nope") == nullptr);
  Rng rng(42);
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 100; ++n) lengths.push_back(n);
  for (size_t n : {127, 128, 129, 255, 256, 257, 1000, 4095, 4096, 4097}) lengths.push_back(n);
  for (size_t n : lengths) {
    for (int rep = 0; rep < 3; ++rep) {
      // Exactly n + 1 elements on the heap: ASan catches reads past t[n].
      const uint32_t alpha = rep == 0 ? 4 : rep == 1 ? 300 : 0;  // 0: full range
      std::unique_ptr<uint8_t[]> t8(new uint8_t[n + 1]);
      std::unique_ptr<uint16_t[]> t16(new uint16_t[n + 1]);
      std::unique_ptr<uint32_t[]> t32(new uint32_t[n + 1]);
      for (size_t i = 0; i <= n; ++i) {
        uint64_t r = rng.next();
        t8[i] = static_cast<uint8_t>(alpha ? r % std::min<uint32_t>(alpha, 256) : r);
        t16[i] = static_cast<uint16_t>(alpha ? r % alpha : r);
        t32[i] = static_cast<uint32_t>(alpha ? r % alpha : r);
      }
      if (n > 0 && rep == 2) {
        t16[rng.below(n)] = 0xFFFF;
        t32[rng.below(n)] = 0xFFFFFFFFu;
        t8[rng.below(n)] = 0xFF;
      }
      gCurrent = "kernels n=" + std::to_string(n) + " rep=" + std::to_string(rep);
      CHECK_EQ(avx->max8(t8.get(), n), sc.max8(t8.get(), n));
      CHECK_EQ(avx->max16(t16.get(), n), sc.max16(t16.get(), n));
      CHECK_EQ(avx->max32(t32.get(), n), sc.max32(t32.get(), n));
      CHECK_EQ(avx->sum8(t8.get(), n), sc.sum8(t8.get(), n));
      CHECK_EQ(avx->sum16(t16.get(), n), sc.sum16(t16.get(), n));
      CHECK_EQ(avx->sum32(t32.get(), n), sc.sum32(t32.get(), n));
      // scalar references against the obvious loops
      uint64_t s16 = 0;
      uint32_t m16 = 0;
      for (size_t i = 0; i < n; ++i) {
        s16 += t16[i];
        m16 = std::max<uint32_t>(m16, t16[i]);
      }
      CHECK_EQ(sc.sum16(t16.get(), n), s16);
      CHECK_EQ(sc.max16(t16.get(), n), m16);
      const int64_t seps[] = {-1, 0, 1, 3, 255, 299, 65535, 70000};
      for (int64_t sep : seps) {
        std::vector<uint32_t> a(n + 1), b(n + 1);
        std::vector<uint64_t> a64(n + 1), b64(n + 1);
        size_t ka = avx->packKeys8(t8.get(), n, sep, a.data()), kb = sc.packKeys8(t8.get(), n, sep, b.data());
        CHECK_EQ(ka, kb);
        a.resize(ka);
        b.resize(kb);
        CHECK(sorted(a) == sorted(b));
        // reference: pairs without the separator, left << 16 | right
        std::vector<uint32_t> want;
        for (size_t i = 0; i < n; ++i)
          if (t8[i] != sep && t8[i + 1] != sep) want.push_back((uint32_t{t8[i]} << 16) | t8[i + 1]);
        CHECK(sorted(b) == sorted(want));
        a.assign(n + 1, 0);
        b.assign(n + 1, 0);
        ka = avx->packKeys16(t16.get(), n, sep, a.data());
        kb = sc.packKeys16(t16.get(), n, sep, b.data());
        CHECK_EQ(ka, kb);
        a.resize(ka);
        b.resize(kb);
        CHECK(sorted(a) == sorted(b));
        want.clear();
        for (size_t i = 0; i < n; ++i)
          if (t16[i] != sep && t16[i + 1] != sep) want.push_back((uint32_t{t16[i]} << 16) | t16[i + 1]);
        CHECK(sorted(b) == sorted(want));
        ka = avx->packKeys32(t32.get(), n, sep, a64.data());
        kb = sc.packKeys32(t32.get(), n, sep, b64.data());
        CHECK_EQ(ka, kb);
        a64.resize(ka);
        b64.resize(kb);
        CHECK(sorted(a64) == sorted(b64));
        std::vector<uint64_t> want64;
        for (size_t i = 0; i < n; ++i)
          if (t32[i] != sep && t32[i + 1] != sep) want64.push_back((uint64_t{t32[i]} << 32) | t32[i + 1]);
        CHECK(sorted(b64) == sorted(want64));
        if (sep >= 0) {
          std::vector<uint32_t> pa(n + 1), pb(n + 1), pw;
          uint32_t us = static_cast<uint32_t>(sep);
          if (sep < 256) {
            size_t fa = avx->findSep8(t8.get(), n, us, pa.data()), fb = sc.findSep8(t8.get(), n, us, pb.data());
            pw.clear();
            for (size_t i = 0; i < n; ++i)
              if (t8[i] == us) pw.push_back(static_cast<uint32_t>(i));
            CHECK_EQ(fa, fb);
            CHECK((std::vector<uint32_t>(pa.begin(), pa.begin() + fa) == pw));
            CHECK((std::vector<uint32_t>(pb.begin(), pb.begin() + fb) == pw));
          }
          if (sep < 65536) {
            size_t fa = avx->findSep16(t16.get(), n, us, pa.data()), fb = sc.findSep16(t16.get(), n, us, pb.data());
            pw.clear();
            for (size_t i = 0; i < n; ++i)
              if (t16[i] == us) pw.push_back(static_cast<uint32_t>(i));
            CHECK_EQ(fa, fb);
            CHECK((std::vector<uint32_t>(pa.begin(), pa.begin() + fa) == pw));
            CHECK((std::vector<uint32_t>(pb.begin(), pb.begin() + fb) == pw));
          }
          size_t fa = avx->findSep32(t32.get(), n, us, pa.data()), fb = sc.findSep32(t32.get(), n, us, pb.data());
          pw.clear();
          for (size_t i = 0; i < n; ++i)
            if (t32[i] == us) pw.push_back(static_cast<uint32_t>(i));
          CHECK_EQ(fa, fb);
          CHECK((std::vector<uint32_t>(pa.begin(), pa.begin() + fa) == pw));
          CHECK((std::vector<uint32_t>(pb.begin(), pb.begin() + fb) == pw));
        }
      }
    }
  }
}

// ---- Accumulator vs brute force ------------------------------------------------------

struct Brute {
  std::map<uint32_t, uint64_t> uni;
  std::map<uint64_t, uint64_t> bi;
  uint64_t tokens = 0, documents = 0;
};

Brute bruteForce(const std::vector<std::vector<uint32_t>>& files, const std::vector<std::vector<uint64_t>>& ends, int64_t sep) {
  Brute b;
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& tok = files[f];
    std::vector<uint64_t> e = ends[f];
    if (e.empty() || e.back() != tok.size()) e.push_back(tok.size());
    uint64_t start = 0;
    for (uint64_t end : e) {
      uint64_t i = start;
      while (i < end) {
        uint64_t j = i;
        while (j < end && !(sep >= 0 && tok[j] == static_cast<uint64_t>(sep))) ++j;
        if (j > i) ++b.documents;
        for (uint64_t x = i; x < j; ++x) {
          b.uni[tok[x]] += 1;
          ++b.tokens;
          if (x + 1 < j) b.bi[(uint64_t{tok[x]} << 32) | tok[x + 1]] += 1;
        }
        i = j + 1;
      }
      start = end;
    }
  }
  return b;
}

std::vector<uint8_t> encode(const std::vector<uint32_t>& tok, bimix::DType d) {
  std::vector<uint8_t> out;
  for (uint32_t v : tok) {
    switch (bimix::dtypeWidth(d)) {
      case 1: out.push_back(static_cast<uint8_t>(v)); break;
      case 2: put<uint16_t>(out, static_cast<uint16_t>(v)); break;
      default: put<uint32_t>(out, v); break;
    }
  }
  return out;
}

// Counts files with `nAcc` accumulators (chunks dealt round-robin) and compares
// the merged partial files with the brute-force count.
void compareWithBrute(const std::vector<std::vector<uint32_t>>& files, const std::vector<std::vector<uint64_t>>& ends, bimix::DType d,
                      int64_t sep, uint64_t chunk, size_t nAcc, const std::string& simd, uint64_t batch, uint64_t memory,
                      bool expectSpill = false) {
  const std::string dir = scratch();
  std::vector<std::shared_ptr<bimix::TokenSource>> srcs;
  for (size_t f = 0; f < files.size(); ++f) {
    std::string path = dir + "/acc-" + std::to_string(f) + ".bin";
    writeFile(path, encode(files[f], d));
    bimix::SourceSpec spec;
    spec.path = path;
    spec.format = "raw";
    spec.dtype = bimix::dtypeName(d);
    spec.eos = sep;
    if (!ends[f].empty()) {
      spec.hasDocEnds = true;
      spec.docEnds = ends[f];
    }
    std::shared_ptr<bimix::TokenSource> s;
    bimix::Status st = bimix::openSource(spec, s);
    CHECK(st.ok());
    if (!st.ok()) return;
    srcs.push_back(s);
  }
  std::vector<std::unique_ptr<bimix::Accumulator>> accs;
  for (size_t a = 0; a < nAcc; ++a) {
    bimix::AccumulatorConfig cfg;
    cfg.memoryBytes = memory;
    cfg.spillDir = dir;
    cfg.simd = simd;
    cfg.batchTokens = batch;
    accs.push_back(std::make_unique<bimix::Accumulator>(cfg));
    CHECK(accs.back()->init().ok());
  }
  uint64_t k = 0, chunkTokens = 0, chunkDocs = 0;
  for (auto& s : srcs) {
    for (uint64_t b = 0; b < s->tokens; b += chunk) {
      bimix::ChunkStats st;
      bimix::Status r = accs[k++ % nAcc]->addChunk(*s, b, std::min(s->tokens, b + chunk), &st);
      CHECK(r.ok());
      chunkTokens += st.tokens;
      chunkDocs += st.documents;
    }
  }
  uint64_t spills = 0;
  for (auto& a : accs) spills += a->spills();
  if (expectSpill) CHECK(spills > 0);
  std::vector<std::string> parts;
  for (size_t a = 0; a < nAcc; ++a) {
    parts.push_back(dir + "/acc-part-" + std::to_string(a) + ".bimixps");
    CHECK(accs[a]->writePartial(parts.back(), "{}").ok());
  }
  const std::string merged = dir + "/acc-merged.bimixps";
  bimix::Reduction red;
  CHECK(bimix::mergePartials(parts, merged, "{}", &red).ok());
  Brute want = bruteForce(files, ends, sep);
  CHECK_EQ(red.tokens, want.tokens);
  CHECK_EQ(red.documents, want.documents);
  CHECK_EQ(chunkTokens, want.tokens);
  CHECK_EQ(chunkDocs, want.documents);
  CHECK_EQ(red.bigramDistinct, want.bi.size());
  CHECK_EQ(red.unigramDistinct, want.uni.size());
  bool uniOk = true;
  for (size_t id = 0; id < red.unigrams.size(); ++id) {
    auto it = want.uni.find(static_cast<uint32_t>(id));
    if (red.unigrams[id] != (it == want.uni.end() ? 0 : it->second)) uniOk = false;
  }
  for (auto& kv : want.uni)
    if (kv.first >= red.unigrams.size()) uniOk = false;
  CHECK(uniOk);
  bimix::PartialReader r;
  CHECK(r.open(merged).ok());
  auto cur = r.bigrams();
  uint64_t key, count;
  auto it = want.bi.begin();
  bool biOk = true;
  while (cur.next(key, count)) {
    if (it == want.bi.end() || it->first != key || it->second != count) biOk = false;
    if (it != want.bi.end()) ++it;
  }
  CHECK(biOk && cur.ok() && it == want.bi.end());
  for (auto& p : parts) ::unlink(p.c_str());
  ::unlink(merged.c_str());

  // The in-memory reduction of fresh accumulators over the same chunks must
  // equal the file-based merge.
  std::vector<std::unique_ptr<bimix::Accumulator>> again;
  std::vector<bimix::Accumulator*> raw;
  for (size_t a = 0; a < nAcc; ++a) {
    bimix::AccumulatorConfig cfg;
    cfg.memoryBytes = memory;
    cfg.spillDir = dir;
    cfg.simd = simd;
    cfg.batchTokens = batch;
    cfg.layoutKey = "again";
    again.push_back(std::make_unique<bimix::Accumulator>(cfg));
    CHECK(again.back()->init().ok());
    raw.push_back(again.back().get());
  }
  k = 0;
  for (auto& s : srcs)
    for (uint64_t b = 0; b < s->tokens; b += chunk) CHECK(again[k++ % nAcc]->addChunk(*s, b, std::min(s->tokens, b + chunk)).ok());
  bimix::Reduction mem;
  CHECK(bimix::Accumulator::reduceAll(raw, static_cast<uint32_t>(1 + nAcc % 3), mem).ok());
  CHECK_EQ(mem.tokens, red.tokens);
  CHECK_EQ(mem.documents, red.documents);
  CHECK_EQ(mem.bigramTotal, red.bigramTotal);
  CHECK_EQ(mem.bigramDistinct, red.bigramDistinct);
  CHECK_EQ(mem.unigramDistinct, red.unigramDistinct);
  CHECK_EQ(mem.leftDistinct, red.leftDistinct);
  CHECK((mem.unigramHist.pairs() == red.unigramHist.pairs()));
  CHECK((mem.leftHist.pairs() == red.leftHist.pairs()));
  CHECK((mem.bigramHist.pairs() == red.bigramHist.pairs()));
}

TEST(accumulator_vs_brute_force) {
  Rng rng(7);
  std::vector<std::string> simds = {"scalar"};
  if (bimix::avx2Kernels() != nullptr) simds.push_back("avx2");
  const bimix::DType dtypes[] = {bimix::DType::U8, bimix::DType::U16, bimix::DType::U32, bimix::DType::I16, bimix::DType::I32};
  for (bimix::DType d : dtypes) {
    for (int trial = 0; trial < 4; ++trial) {
      const uint32_t alpha = 6 + static_cast<uint32_t>(rng.below(10));
      const int64_t sep = trial == 0 ? -1 : static_cast<int64_t>(rng.below(alpha));
      const bool explicitEnds = trial >= 2;
      std::vector<std::vector<uint32_t>> files(1 + rng.below(2));
      std::vector<std::vector<uint64_t>> ends(files.size());
      for (size_t f = 0; f < files.size(); ++f) {
        size_t n = 1 + rng.below(300);
        for (size_t i = 0; i < n; ++i) {
          uint32_t v = static_cast<uint32_t>(rng.below(alpha));
          if (rng.below(20) == 0) v = d == bimix::DType::U8 ? 255 : d == bimix::DType::I16 ? 32767 : d == bimix::DType::U16 ? 65535 : 100000;
          // Ids far above the dense part of the per-id counts (kept in its map); one
          // trial only, since reductions are dense up to the largest id.
          if (d == bimix::DType::U32 && trial == 3 && rng.below(25) == 0) v = 4190000 + static_cast<uint32_t>(rng.below(4));
          files[f].push_back(v);
        }
        if (sep >= 0 && trial % 2 == 1) files[f][0] = static_cast<uint32_t>(sep);  // separator at the start
        if (sep >= 0) files[f].back() = static_cast<uint32_t>(sep);                // ... and at the end
        if (explicitEnds)
          for (uint64_t i = 0; i <= n; ++i)
            if (rng.below(10) == 0) ends[f].push_back(i);
      }
      for (const std::string& simd : simds) {
        for (uint64_t chunk : {1, 2, 3, 7, 64, 1 << 20}) {
          for (size_t nAcc : {1, 3}) {
            gCurrent = std::string("accumulator ") + bimix::dtypeName(d) + " trial " + std::to_string(trial) + " " + simd +
                       " chunk " + std::to_string(chunk) + " accs " + std::to_string(nAcc);
            compareWithBrute(files, ends, d, sep, chunk, nAcc, simd, 1 + rng.below(40), 64ULL << 20);
          }
        }
      }
    }
  }
}

TEST(accumulator_separators_across_scan_blocks) {
  // Separators are found in blocks of 2^20 tokens: put some right at, before and after the
  // block edges of a 2.5M-token segment (one chunk), with neighbours that are and are not separators.
  Rng rng(11);
  std::vector<std::string> simds = {"scalar"};
  if (bimix::avx2Kernels() != nullptr) simds.push_back("avx2");
  const int64_t sep = 0;
  std::vector<std::vector<uint32_t>> files(1);
  std::vector<std::vector<uint64_t>> ends(1);
  const uint64_t n = 2500000, block = 1 << 20;
  for (uint64_t i = 0; i < n; ++i) files[0].push_back(rng.below(1500) == 0 ? 0u : 1u + static_cast<uint32_t>(rng.below(9)));
  for (uint64_t e : {block - 2, block - 1, block, 2 * block - 1, 2 * block, 2 * block + 1}) files[0][e] = 0;
  files[0][2 * block - 3] = 0;
  for (const std::string& simd : simds) {
    for (uint64_t chunk : {uint64_t{1} << 22, uint64_t{3} << 19}) {
      gCurrent = "separators across scan blocks " + simd + " chunk " + std::to_string(chunk);
      compareWithBrute(files, ends, bimix::DType::U8, sep, chunk, 1, simd, 1 << 22, 256ULL << 20);
    }
  }
}

TEST(accumulator_spills_exactly) {
  Rng rng(11);
  std::vector<std::vector<uint32_t>> files(1);
  std::vector<std::vector<uint64_t>> ends(1);
  for (size_t i = 0; i < 700000; ++i) files[0].push_back(rng.below(100) == 0 ? 5 : static_cast<uint32_t>(rng.below(1u << 20)));
  for (const char* simd : {"scalar", "avx2"}) {
    if (std::string(simd) == "avx2" && bimix::avx2Kernels() == nullptr) continue;
    gCurrent = std::string("spill ") + simd;
    // Multi-batch chunks: spills happen in the middle of a chunk.
    compareWithBrute(files, ends, bimix::DType::U32, 5, 300000, 2, simd, 4096, 8ULL << 20, true);
  }
}

// A tiny shard with an id near 2^24 keeps small per-id counts, counts exactly, and
// reduces to the same numbers on any number of threads and through files.
TEST(accumulator_large_ids_small_memory) {
  const std::string dir = scratch();
  const std::vector<uint32_t> tok = {5, 16777000, 7, 5, 16777000, 9, 12, 16777000, 5, 3, 16777001, 5};
  writeFile(dir + "/big.bin", encode(tok, bimix::DType::U32));
  bimix::SourceSpec spec;
  spec.path = dir + "/big.bin";
  spec.format = "raw";
  spec.dtype = "u32";
  spec.eos = 3;
  std::shared_ptr<bimix::TokenSource> src;
  CHECK(bimix::openSource(spec, src).ok());
  if (!src) return;
  std::vector<bimix::Reduction> reds;
  for (uint32_t threads : {1u, 4u}) {
    std::vector<std::unique_ptr<bimix::Accumulator>> accs;
    std::vector<bimix::Accumulator*> raw;
    for (int k = 0; k < 2; ++k) {
      bimix::AccumulatorConfig cfg;
      cfg.memoryBytes = 64 << 20;
      cfg.spillDir = dir;
      accs.push_back(std::make_unique<bimix::Accumulator>(cfg));
      CHECK(accs.back()->init().ok());
      raw.push_back(accs.back().get());
    }
    CHECK(accs[0]->addChunk(*src, 0, 5).ok());
    CHECK(accs[1]->addChunk(*src, 5, tok.size()).ok());
    // Dense counts stop at 2^17 ids (1 MB per array) instead of 2^24 (128 MB).
    for (auto& a : accs) CHECK(a->idCountBytes() <= (2u << 20) + 4096);
    bimix::Reduction red;
    CHECK(bimix::Accumulator::reduceAll(raw, threads, red).ok());
    reds.push_back(std::move(red));
  }
  bimix::AccumulatorConfig cfg;
  cfg.memoryBytes = 64 << 20;
  cfg.spillDir = dir;
  bimix::Accumulator one(cfg);
  CHECK(one.init().ok());
  CHECK(one.addChunk(*src, 0, tok.size()).ok());
  CHECK(one.writePartial(dir + "/big.bimixps", "{}").ok());
  bimix::Reduction viaFile;
  CHECK(bimix::mergePartials({dir + "/big.bimixps"}, "", "{}", &viaFile).ok());
  reds.push_back(std::move(viaFile));
  Brute want = bruteForce({tok}, {{}}, 3);
  for (const bimix::Reduction& r : reds) {
    CHECK_EQ(r.tokens, want.tokens);
    CHECK_EQ(r.bigramDistinct, want.bi.size());
    CHECK_EQ(r.unigramDistinct, want.uni.size());
    CHECK_EQ(r.maxId, 16777001);
    CHECK(r.unigrams.size() > 16777001 && r.unigrams[16777000] == 3 && r.unigrams[16777001] == 1 && r.unigrams[5] == 4);
    CHECK((r.bigramHist.pairs() == reds[0].bigramHist.pairs()));
    CHECK((r.leftHist.pairs() == reds[0].leftHist.pairs()));
    CHECK((r.unigramHist.pairs() == reds[0].unigramHist.pairs()));
  }
  ::unlink((dir + "/big.bimixps").c_str());
  ::unlink((dir + "/big.bin").c_str());
}

// Accumulators sharing one domain's narrow tables, counting on threads at once,
// reduce to the same numbers as one accumulator alone: in memory, after shared
// spills (a small budget), and when a member also counted wider tokens.
TEST(accumulator_shared_tables_on_threads) {
  const std::string dir = scratch();
  Rng rng(23);
  std::vector<uint32_t> tok;
  for (size_t i = 0; i < 1500000; ++i) tok.push_back(rng.below(200) == 0 ? 7 : static_cast<uint32_t>(rng.below(65536)));
  writeFile(dir + "/sh16.bin", encode(tok, bimix::DType::U16));
  std::vector<uint32_t> wide;
  for (size_t i = 0; i < 20000; ++i) wide.push_back(rng.below(100) == 0 ? 7 : static_cast<uint32_t>(rng.below(300000)));
  writeFile(dir + "/sh32.bin", encode(wide, bimix::DType::U32));
  // 32-bit tokens of a small vocabulary (below 2^17): compact keys, shared too.
  std::vector<uint32_t> small;
  for (size_t i = 0; i < 1500000; ++i) small.push_back(rng.below(200) == 0 ? 7 : static_cast<uint32_t>(rng.below(100000)));
  writeFile(dir + "/sh32c.bin", encode(small, bimix::DType::U32));
  auto open = [&](const std::string& name, const char* dtype) {
    bimix::SourceSpec spec;
    spec.path = dir + "/" + name;
    spec.format = "raw";
    spec.dtype = dtype;
    spec.eos = 7;
    std::shared_ptr<bimix::TokenSource> src;
    CHECK(bimix::openSource(spec, src).ok());
    return src;
  };
  auto s16 = open("sh16.bin", "u16");
  auto s32 = open("sh32.bin", "u32");
  auto s32c = open("sh32c.bin", "u32");
  if (!s16 || !s32 || !s32c) return;
  const uint64_t chunk = 50000;
  // The reference: one accumulator, no sharing, through a file.
  auto reference = [&](const bimix::TokenSource& main, bool withWide) {
    bimix::AccumulatorConfig cfg;
    cfg.memoryBytes = 256 << 20;
    cfg.spillDir = dir;
    bimix::Accumulator one(cfg);
    CHECK(one.init().ok());
    CHECK(one.addChunk(main, 0, main.tokens).ok());
    if (withWide) CHECK(one.addChunk(*s32, 0, s32->tokens).ok());
    CHECK(one.writePartial(dir + "/sh-ref.bimixps", "{}").ok());
    bimix::Reduction red;
    CHECK(bimix::mergePartials({dir + "/sh-ref.bimixps"}, "", "{}", &red).ok());
    ::unlink((dir + "/sh-ref.bimixps").c_str());
    return red;
  };
  const bimix::Reduction want = reference(*s16, false), wantWide = reference(*s16, true), wantCompact = reference(*s32c, false),
                        wantCompactWide = reference(*s32c, true);
  CHECK(want.bigramDistinct > 1000000);
  CHECK(wantCompact.bigramDistinct > 1000000);
  struct Case {
    uint64_t memory;
    bool withWide;
    bool expectSpill;
    bool compact;
    bool viaFile = false;  // writeAll into one partial-state file (a Slurm task's share) instead of reduceAll
  };
  for (const Case& c : {Case{256 << 20, false, false, false}, Case{8 << 20, false, true, false}, Case{256 << 20, true, false, false},
                        Case{256 << 20, false, false, true}, Case{8 << 20, false, true, true}, Case{8 << 20, false, true, false, true},
                        Case{256 << 20, true, false, true, true}}) {
    gCurrent = "shared tables memory " + std::to_string(c.memory) + (c.withWide ? " with wide" : "") + (c.compact ? " compact" : "") +
               (c.viaFile ? " via file" : "");
    const bimix::TokenSource& main = c.compact ? *s32c : *s16;
    const size_t nAcc = 3;
    std::vector<std::unique_ptr<bimix::Accumulator>> accs;
    std::vector<bimix::Accumulator*> raw;
    for (size_t a = 0; a < nAcc; ++a) {
      bimix::AccumulatorConfig cfg;
      cfg.memoryBytes = c.memory;
      cfg.spillDir = dir;
      cfg.batchTokens = 1 << 16;
      cfg.layoutKey = "shared-test";
      accs.push_back(std::make_unique<bimix::Accumulator>(cfg));
      CHECK(accs.back()->init().ok());
      raw.push_back(accs.back().get());
    }
    std::atomic<uint64_t> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (size_t a = 0; a < nAcc; ++a) {
      threads.emplace_back([&, a] {
        for (;;) {
          const uint64_t b = next.fetch_add(chunk);
          if (b >= main.tokens) break;
          if (!accs[a]->addChunk(main, b, std::min(main.tokens, b + chunk)).ok()) failures.fetch_add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK_EQ(failures.load(), 0);
    for (auto& a : accs) CHECK(a->sharesTables());
    if (c.withWide) CHECK(accs[1]->addChunk(*s32, 0, s32->tokens).ok());
    if (c.withWide) CHECK(!accs[1]->sharesTables());
    // Shared counts are reduced together, never written alone.
    CHECK(accs[0]->writePartial(dir + "/sh-alone.bimixps", "{}").code == bimix::ec::E_USAGE);
    uint64_t spills = 0;
    for (auto& a : accs) spills += a->spills();
    CHECK_EQ(spills > 0, c.expectSpill);
    bimix::Reduction red;
    if (c.viaFile) {
      const std::string out = dir + "/sh-all.bimixps";
      CHECK(bimix::Accumulator::writeAll(raw, out, "{\"share\":1}").ok());
      CHECK(bimix::mergePartials({out}, "", "{}", &red).ok());
      ::unlink(out.c_str());
    } else {
      CHECK(bimix::Accumulator::reduceAll(raw, 2, red).ok());
    }
    const bimix::Reduction& w = c.compact ? (c.withWide ? wantCompactWide : wantCompact) : c.withWide ? wantWide : want;
    CHECK_EQ(red.tokens, w.tokens);
    CHECK_EQ(red.documents, w.documents);
    CHECK_EQ(red.bigramTotal, w.bigramTotal);
    CHECK_EQ(red.bigramDistinct, w.bigramDistinct);
    CHECK_EQ(red.leftDistinct, w.leftDistinct);
    CHECK((red.unigrams == w.unigrams));
    CHECK((red.bigramHist.pairs() == w.bigramHist.pairs()));
    CHECK((red.leftHist.pairs() == w.leftHist.pairs()));
    CHECK((red.unigramHist.pairs() == w.unigramHist.pairs()));
  }
  ::unlink((dir + "/sh16.bin").c_str());
  ::unlink((dir + "/sh32.bin").c_str());
  ::unlink((dir + "/sh32c.bin").c_str());
}

// Partition layouts: ascending contiguous ranges below kPartitions that split a
// skewed histogram into about equal shares (no partition above its fair share
// unless one id alone exceeds it).
TEST(partition_layout_balances_skewed_ids) {
  std::vector<uint64_t> counts(65536, 0);
  uint64_t total = 0;
  for (uint32_t id = 0; id < 50000; ++id) {
    counts[id] = 100000000 / (id + 1);  // Zipf-like: the lowest ids are the most frequent
    total += counts[id];
  }
  auto layout = bimix::PartitionLayout::fromCounts(counts.data());
  CHECK_EQ(layout->partOf.size(), size_t{65536});
  bool ascending = true, inRange = true;
  for (uint32_t id = 0; id < 65536; ++id) {
    if (id > 0 && layout->partOf[id] < layout->partOf[id - 1]) ascending = false;
    if (layout->partOf[id] >= bimix::kPartitions) inRange = false;
  }
  CHECK(ascending && inRange);
  std::vector<uint64_t> load(bimix::kPartitions, 0), heaviest(bimix::kPartitions, 0);
  for (uint32_t id = 0; id < 65536; ++id) {
    load[layout->partOf[id]] += counts[id];
    heaviest[layout->partOf[id]] = std::max(heaviest[layout->partOf[id]], counts[id]);
  }
  const uint64_t fair = total / bimix::kPartitions;
  bool balanced = true;
  for (uint32_t p = 0; p < bimix::kPartitions; ++p)
    if (load[p] > 2 * fair + heaviest[p]) balanced = false;
  CHECK(balanced);
  // No counts: equal id ranges.
  std::vector<uint64_t> none(65536, 0);
  auto even = bimix::PartitionLayout::fromCounts(none.data());
  CHECK_EQ(even->partOf[0], 0);
  CHECK_EQ(even->partOf[65535], bimix::kPartitions - 1);
  CHECK_EQ(even->partOf[64], 1);
  // One layout per key while it is in use.
  auto a = bimix::PartitionLayout::shared("layout-test", counts.data());
  auto b = bimix::PartitionLayout::shared("layout-test", none.data());
  CHECK(a == b);
}

TEST(accumulator_errors) {
  const std::string dir = scratch();
  writeFile(dir + "/v.bin", encode({1, 2, 3, 150, 7}, bimix::DType::U16));
  bimix::SourceSpec spec;
  spec.path = dir + "/v.bin";
  spec.format = "raw";
  std::shared_ptr<bimix::TokenSource> src;
  CHECK(bimix::openSource(spec, src).ok());
  bimix::AccumulatorConfig cfg;
  cfg.memoryBytes = 64 << 20;
  cfg.vocab = 100;
  bimix::Accumulator a(cfg);
  CHECK(a.init().ok());
  CHECK_ERR(a.addChunk(*src, 1, 5), "E_TOKEN_RANGE", 6);
  CHECK(a.addChunk(*src, 0, 3).ok());
  CHECK_ERR(a.addChunk(*src, 3, 9), "E_USAGE", kAny);
  bimix::AccumulatorConfig small;
  small.memoryBytes = 1 << 20;
  bimix::Accumulator b(small);
  CHECK_ERR(b.init(), "E_USAGE", kAny);
  bimix::AccumulatorConfig badSimd;
  badSimd.simd = "neon9000";
  bimix::Accumulator c(badSimd);
  CHECK_ERR(c.init(), "E_USAGE", kAny);
  writeFile(dir + "/n.bin", encode({1, 0xFFFB, 3}, bimix::DType::I16));  // -5
  spec.path = dir + "/n.bin";
  spec.dtype = "i16";
  CHECK(bimix::openSource(spec, src).ok());
  bimix::Accumulator e(bimix::AccumulatorConfig{});
  CHECK(e.init().ok());
  CHECK_ERR(e.addChunk(*src, 0, 3), "E_TOKEN_RANGE", 2);
}

// ---- partial-state files -------------------------------------------------------------

std::string writeSample(const std::string& name, uint64_t shift, uint32_t flags = 0) {
  const std::string path = scratch() + "/" + name;
  bimix::PartialWriter w;
  CHECK(w.open(path, "{\"sample\":true}").ok());
  std::vector<uint64_t> uni(300, 0), fin(300, 0);
  uni[1] = 5 + shift;
  uni[7] = 3;
  uni[299] = 1;
  fin[7] = 1;
  fin[299] = 1;
  CHECK(w.writeUnigrams(uni).ok());
  CHECK(w.writeDocFinal(fin).ok());
  // left marginal: 1 -> 5 + shift, 7 -> 2; keys ascending
  w.addBigram((uint64_t{1} << 32) | 7, 3);
  w.addBigram((uint64_t{1} << 32) | (299 + shift), 2 + shift);
  w.addBigram((uint64_t{7} << 32) | 1, 2);
  CHECK(w.finish(9 + shift, 2, 1, flags).ok());
  return path;
}

TEST(partial_round_trip_and_corruption) {
  const std::string path = writeSample("a.bimixps", 0);
  bimix::PartialReader r;
  CHECK(r.open(path).ok());
  CHECK_EQ(r.counts().tokens, 9u);
  CHECK_EQ(r.counts().documents, 2u);
  CHECK_EQ(r.counts().separators, 1u);
  CHECK_EQ(r.counts().bigramTotal, 7u);
  CHECK_EQ(r.counts().bigramDistinct, 3u);
  CHECK_EQ(r.counts().unigramEntries, 3u);
  CHECK(r.meta() == "{\"sample\":true}");
  std::vector<uint64_t> dense;
  CHECK(r.addUnigrams(dense).ok());
  CHECK_EQ(dense.size(), 300u);
  CHECK_EQ(dense[1], 5u);
  CHECK_EQ(dense[299], 1u);
  CHECK(r.addUnigrams(dense).ok());
  CHECK_EQ(dense[7], 6u);
  auto cur = r.bigrams();
  std::vector<std::pair<uint64_t, uint64_t>> got;
  uint64_t k, c;
  while (cur.next(k, c)) got.push_back({k, c});
  CHECK(cur.ok());
  CHECK((got == std::vector<std::pair<uint64_t, uint64_t>>{{(uint64_t{1} << 32) | 7, 3}, {(uint64_t{1} << 32) | 299, 2}, {(uint64_t{7} << 32) | 1, 2}}));

  // Every single-byte corruption anywhere in the file is refused.
  const std::vector<uint8_t> good = readFile(path);
  const std::string bad = scratch() + "/bad.bimixps";
  size_t undetected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      std::vector<uint8_t> b = good;
      b[i] ^= flip;
      writeFile(bad, b);
      bimix::PartialReader x;
      bimix::Status s = x.open(bad);
      if (s.ok() || s.code != "E_STATE" || s.file != bad) ++undetected;
    }
  }
  gCurrent = "single-byte corruption";
  CHECK_EQ(undetected, 0u);
  // Every truncation is refused.
  size_t accepted = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    writeFile(bad, std::vector<uint8_t>(good.begin(), good.begin() + n));
    bimix::PartialReader x;
    bimix::Status s = x.open(bad);
    if (s.ok() || s.code != "E_STATE") ++accepted;
  }
  gCurrent = "truncation";
  CHECK_EQ(accepted, 0u);
  {
    std::vector<uint8_t> b = good;
    std::memcpy(b.data(), "BIMIXPS0", 8);
    writeFile(bad, b);
    bimix::PartialReader x;
    CHECK_ERR(x.open(bad), "E_STATE", 0);
    b = good;
    b.push_back(0);
    writeFile(bad, b);
    CHECK_ERR(x.open(bad), "E_STATE", kAny);
    bimix::PartialReader y;
    CHECK_ERR(y.open(scratch() + "/missing.bimixps"), "E_IO", kAny);
  }
}

TEST(merge_partials) {
  gCurrent = "merge";
  const std::string a = writeSample("m-a.bimixps", 0), b = writeSample("m-b.bimixps", 1);
  const std::string out = scratch() + "/m-out.bimixps";
  bimix::Reduction red;
  CHECK(bimix::mergePartials({a, b}, out, "{\"merged\":1}", &red).ok());
  CHECK_EQ(red.tokens, 19u);
  CHECK_EQ(red.documents, 4u);
  CHECK_EQ(red.separators, 2u);
  // bigrams: (1,7) 3+3, (1,299) 2, (1,300) 3, (7,1) 2+2
  CHECK_EQ(red.bigramDistinct, 4u);
  CHECK_EQ(red.bigramTotal, 15u);
  CHECK_EQ(red.unigramDistinct, 3u);
  CHECK_EQ(red.unigrams[1], 11u);
  CHECK_EQ(red.unigrams[7], 6u);
  CHECK_EQ(red.docFinal[299], 2u);
  auto hist = red.bigramHist.pairs();
  CHECK((hist == std::vector<std::pair<uint64_t, uint64_t>>{{2, 1}, {3, 1}, {4, 1}, {6, 1}}));
  bimix::PartialReader r;
  CHECK(r.open(out).ok());
  CHECK(r.meta() == "{\"merged\":1}");
  CHECK_EQ(r.counts().bigramDistinct, 4u);
  CHECK_EQ(r.counts().tokens, 19u);
  // Merging the output again with nothing else gives the same reduction.
  bimix::Reduction again;
  CHECK(bimix::mergePartials({out}, "", "", &again).ok());
  CHECK_EQ(again.bigramTotal, red.bigramTotal);
  CHECK((again.unigramHist.pairs() == red.unigramHist.pairs()));
  CHECK((again.leftHist.pairs() == red.leftHist.pairs()));
  // A corrupt input is refused by name, and no output is left behind.
  std::vector<uint8_t> bytes = readFile(b);
  bytes[bytes.size() - 1] ^= 1;
  const std::string bad = scratch() + "/m-bad.bimixps";
  writeFile(bad, bytes);
  const std::string out2 = scratch() + "/m-out2.bimixps";
  bimix::Status s = bimix::mergePartials({a, bad}, out2, "{}", &red);
  CHECK_ERR(s, "E_STATE", kAny);
  CHECK(s.file == bad);
  CHECK(readFile(out2).empty());
  // Mixing unigram-only and full files is refused.
  const std::string u = writeSample("m-u.bimixps", 0, bimix::kFlagUnigramsOnly);
  CHECK_ERR(bimix::mergePartials({a, u}, "", "", &red), "E_STATE", kAny);
  // Counts that cannot come from a real corpus (document-final more often than seen).
  {
    const std::string path = scratch() + "/m-inc.bimixps";
    bimix::PartialWriter w;
    CHECK(w.open(path, "{}").ok());
    std::vector<uint64_t> uni(4, 0), fin(4, 0);
    uni[2] = 1;
    fin[2] = 3;
    CHECK(w.writeUnigrams(uni).ok());
    CHECK(w.writeDocFinal(fin).ok());
    CHECK(w.finish(1, 1, 0).ok());
    CHECK_ERR(bimix::mergePartials({path}, "", "", &red), "E_STATE", kAny);
  }
  CHECK(bimix::mergePartials({}, "", "", &red).ok());
  CHECK_EQ(red.tokens, 0u);
}

// Found by fuzz_partial: bigram keys must strictly ascend. The writer refuses
// out-of-order keys (finish() fails, nothing is renamed into place); the reader's
// refusal of forged files whose key deltas wrap past 2^64 is exercised by the
// fuzz_partial target, which checks that every accepted file reads back ascending.
TEST(partial_descending_keys_refused) {
  const std::string path = scratch() + "/desc.bimixps";
  bimix::PartialWriter w;
  CHECK(w.open(path, "{}").ok());
  std::vector<uint64_t> uni(8, 0), fin(8, 0);
  uni[0] = 2;
  uni[5] = 2;
  fin[0] = 1;
  fin[5] = 1;
  CHECK(w.writeUnigrams(uni).ok());
  CHECK(w.writeDocFinal(fin).ok());
  w.addBigram((uint64_t{5} << 32) | 0, 1);  // then a smaller key
  w.addBigram((uint64_t{0} << 32) | 5, 1);
  CHECK(!w.finish(4, 2, 0).ok());
  bimix::PartialReader r;
  CHECK(!r.open(path).ok());  // no file was left behind
}

// A raised cancel slot stops counting, spilling and merging with E_INTERRUPTED and
// leaves no output; a lowered one changes nothing.
TEST(cancellation) {
  const std::string dir = scratch();
  std::vector<uint32_t> toks;
  for (uint64_t i = 0; i < 3000000; ++i) toks.push_back(static_cast<uint32_t>((i * 2654435761ULL) % 40000));
  writeFile(dir + "/c.bin", encode(toks, bimix::DType::U32));
  bimix::SourceSpec spec;
  spec.path = dir + "/c.bin";
  spec.format = "raw";
  spec.dtype = "u32";
  std::shared_ptr<bimix::TokenSource> src;
  CHECK(bimix::openSource(spec, src).ok());
  const uint32_t slot = 3;
  bimix::setCancelSlot(slot, false);
  bimix::AccumulatorConfig cfg;
  cfg.memoryBytes = 16 << 20;
  cfg.spillDir = dir;
  cfg.cancel = bimix::cancelTokenForSlot(slot);
  bimix::Accumulator a(cfg);
  CHECK(a.init().ok());
  CHECK(a.addChunk(*src, 0, 1000000).ok());
  const std::string part = dir + "/c-part.bimixps";
  CHECK(a.writePartial(part, "{}").ok());
  bimix::setCancelSlot(slot, true);
  CHECK(bimix::cancelTokenForSlot(slot).requested());
  CHECK_ERR(a.addChunk(*src, 1000000, 2000000), "E_INTERRUPTED", kAny);
  bimix::Reduction red;
  const std::string out = dir + "/c-merged.bimixps";
  CHECK_ERR(bimix::mergePartials({part, part}, out, "{}", &red, bimix::cancelTokenForSlot(slot)), "E_INTERRUPTED", kAny);
  CHECK(readFile(out).empty());
  // Slot 0 is never raised; raising it is ignored.
  bimix::setCancelSlot(0, true);
  CHECK(!bimix::cancelTokenForSlot(0).requested());
  CHECK(bimix::mergePartials({part}, "", "{}", &red, bimix::cancelTokenForSlot(0)).ok());
  bimix::setCancelSlot(slot, false);
  bimix::Accumulator b(cfg);
  CHECK(b.init().ok());
  CHECK(b.addChunk(*src, 0, 1000000).ok());
}

// A mapped file truncated underneath: reads past the new end raise SIGBUS, which
// the guard turns into E_CHANGED (twice in a row: the signal is not left blocked).
TEST(fault_guard_truncated_mapping) {
  const std::string path = scratch() + "/shrinks.bin";
  std::vector<uint8_t> bytes(1 << 20, 7);
  for (int round = 0; round < 2; ++round) {
    writeFile(path, bytes);
    bimix::MappedFile f;
    CHECK(f.open(path).ok());
    CHECK(f.checkUnchanged().ok());
    CHECK(::truncate(path.c_str(), 0) == 0);
    uint64_t sum = 0;
    auto readAll = [&]() {
      for (uint64_t i = 0; i < f.size(); i += 4096) sum += f.data()[i];
      return bimix::Status::Ok();
    };
    CHECK_ERR(bimix::guardMappedRead(path, readAll), "E_CHANGED", kAny);
    CHECK_ERR(f.checkUnchanged(), "E_CHANGED", kAny);
  }
  // Nested guards: the inner one catches, the outer one continues normally.
  writeFile(path, bytes);
  bimix::MappedFile g;
  CHECK(g.open(path).ok());
  CHECK(::truncate(path.c_str(), 0) == 0);
  volatile uint64_t sink = 0;
  bimix::Status inner;
  auto outer = [&]() {
    auto touch = [&]() {
      sink = sink + g.data()[g.size() - 1];
      return bimix::Status::Ok();
    };
    inner = bimix::guardMappedRead(path, touch);
    return bimix::Status::Ok();
  };
  CHECK(bimix::guardMappedRead(path, outer).ok());
  CHECK_ERR(inner, "E_CHANGED", kAny);
}

// The accumulator stops at a shrunken source and refuses to go on or write counts.
TEST(accumulator_refuses_changed_source) {
  const std::string path = scratch() + "/shrinks16.bin";
  std::vector<uint8_t> bytes(1 << 20);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 31);
  writeFile(path, bytes);
  bimix::SourceSpec spec;
  spec.path = path;
  spec.format = "raw";
  spec.dtype = "u16";
  spec.eos = -1;
  std::shared_ptr<bimix::TokenSource> src;
  CHECK(bimix::openSource(spec, src).ok());
  bimix::AccumulatorConfig cfg;
  cfg.spillDir = scratch();
  bimix::Accumulator acc(cfg);
  CHECK(acc.init().ok());
  CHECK(acc.addChunk(*src, 0, 1000).ok());
  CHECK(::truncate(path.c_str(), 4096) == 0);
  CHECK_ERR(acc.addChunk(*src, 1000, src->tokens), "E_CHANGED", kAny);
  CHECK_ERR(acc.addChunk(*src, 0, 10), "E_CHANGED", kAny);
  CHECK_ERR(acc.writePartial(scratch() + "/never.bimixps", "{}"), "E_CHANGED", kAny);
  // Same size, new mtime: no fault, but the stamp check after the chunk tells.
  writeFile(path, bytes);
  CHECK(bimix::openSource(spec, src).ok());
  bimix::Accumulator acc2(cfg);
  CHECK(acc2.init().ok());
  struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
  CHECK(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
  CHECK_ERR(acc2.addChunk(*src, 0, 100), "E_CHANGED", kAny);
  // ... and what that chunk counted is never written.
  CHECK_ERR(acc2.writePartial(scratch() + "/never.bimixps", "{}"), "E_CHANGED", kAny);
  // Accumulators sharing tables: one member's changed input stops the whole group.
  writeFile(path, bytes);
  CHECK(bimix::openSource(spec, src).ok());
  bimix::AccumulatorConfig shared = cfg;
  shared.layoutKey = "changed-source";
  for (bool viaFile : {false, true}) {
    bimix::Accumulator a(shared), b(shared);
    CHECK(a.init().ok());
    CHECK(b.init().ok());
    CHECK(a.addChunk(*src, 0, 1000).ok());
    CHECK(a.sharesTables());
    CHECK(b.addChunk(*src, 1000, 2000).ok());
    CHECK(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    times[1].tv_sec += 1;
    CHECK_ERR(b.addChunk(*src, 2000, 3000), "E_CHANGED", kAny);
    std::vector<bimix::Accumulator*> both = {&a, &b};
    bimix::Reduction red;
    if (viaFile) CHECK_ERR(bimix::Accumulator::writeAll(both, scratch() + "/never.bimixps", "{}"), "E_CHANGED", kAny);
    else CHECK_ERR(bimix::Accumulator::reduceAll(both, 2, red), "E_CHANGED", kAny);
    writeFile(path, bytes);
    CHECK(bimix::openSource(spec, src).ok());
  }
}

// Only regular files are opened, without blocking on a FIFO.
TEST(open_regular_files_only) {
  const std::string fifo = scratch() + "/pipe";
  CHECK(::mkfifo(fifo.c_str(), 0600) == 0);
  bimix::MappedFile f;
  bimix::Status s = f.open(fifo);
  CHECK_ERR(s, "E_IO", kAny);
  CHECK(s.message == "not a regular file");
  s = f.open(scratch());
  CHECK_ERR(s, "E_IO", kAny);
  CHECK(s.message == "is a directory");
  s = f.open(scratch() + "/nothing-here");
  CHECK_ERR(s, "E_IO", kAny);
  CHECK(s.message == "does not exist");
  std::string out;
  CHECK_ERR(bimix::readSmallFile(fifo, out, 1 << 20), "E_IO", kAny);
  uint8_t head[4];
  CHECK_EQ(bimix::peekFile(fifo, head, 4), -1);
  // A FIFO .idx beside a .bin is refused by name, not read around as raw.
  writeFile(scratch() + "/piped.bin", std::vector<uint8_t>(64, 1));
  CHECK(::mkfifo((scratch() + "/piped.idx").c_str(), 0600) == 0);
  bimix::SourceSpec spec;
  spec.path = scratch() + "/piped.bin";
  std::shared_ptr<bimix::TokenSource> src;
  s = bimix::openSource(spec, src);
  CHECK_ERR(s, "E_IO", kAny);
  CHECK(s.file == scratch() + "/piped.idx");
}

// ---- sampled mode: nested subsamples and leave-one-group-out rows ----------------------

TEST(grouped_reduction_nested_and_jackknife) {
  const std::string dir = scratch();
  // 60 documents separated by 0; ids 1..40.
  std::vector<uint32_t> tok;
  uint32_t x = 7;
  for (int d = 0; d < 60; ++d) {
    for (int i = 0; i < 5 + d % 13; ++i) {
      x = x * 1103515245u + 12345u;
      tok.push_back(1 + (x >> 16) % 40);
    }
    tok.push_back(0);
  }
  writeFile(dir + "/g.bin", encode(tok, bimix::DType::U16));
  bimix::SourceSpec spec;
  spec.path = dir + "/g.bin";
  spec.format = "raw";
  spec.eos = 0;
  std::shared_ptr<bimix::TokenSource> src;
  CHECK(bimix::openSource(spec, src).ok());
  bimix::AccumulatorConfig cfg;
  cfg.memoryBytes = 64 << 20;
  cfg.groups = 4;
  cfg.sampleRate = 1.0;
  cfg.nestedRates = {0.5, 0.25};
  bimix::Accumulator a(cfg);
  CHECK(a.init().ok());
  CHECK(a.addChunk(*src, 0, tok.size()).ok());
  CHECK(a.writePartial(dir + "/g.bimixps", "{}").ok());
  std::vector<bimix::SubsampleCounts> rows;
  CHECK(bimix::reduceGrouped({dir + "/g.bimixps"}, 4, 3, 1, rows).ok());
  CHECK_EQ(rows.size(), size_t{1 + 5 + 5});  // level 0 whole only; levels 1, 2 whole + 4 left out
  // Level 0 is every document: its unigram histogram is the brute-force one.
  std::map<uint32_t, uint64_t> count;
  for (uint32_t t : tok)
    if (t != 0) count[t] += 1;
  std::map<uint64_t, uint64_t> hist;
  for (const auto& kv : count) hist[kv.second] += 1;
  bimix::CountPairs want(hist.begin(), hist.end());
  CHECK(rows[0].unigram == want);
  CHECK_EQ(rows[0].documents, uint64_t{60});
  auto total = [](const bimix::CountPairs& h) {
    uint64_t n = 0;
    for (const auto& p : h) n += p.first * p.second;
    return n;
  };
  // Levels shrink, and the groups left out add up to the whole of their level.
  CHECK(rows[1].documents < 60 && rows[6].documents < rows[1].documents);
  for (size_t w : {size_t{1}, size_t{6}}) {
    uint64_t docs = 0, uni = 0, bi = 0;
    for (size_t d = 1; d <= 4; ++d) {
      CHECK_EQ(rows[w + d].omitted, static_cast<int32_t>(d - 1));
      docs += rows[w].documents - rows[w + d].documents;
      uni += total(rows[w].unigram) - total(rows[w + d].unigram);
      bi += total(rows[w].bigram) - total(rows[w + d].bigram);
    }
    CHECK_EQ(docs, rows[w].documents);
    CHECK_EQ(uni, total(rows[w].unigram));
    CHECK_EQ(bi, total(rows[w].bigram));
  }
  // Partials from another configuration are refused.
  CHECK_ERR(bimix::reduceGrouped({dir + "/g.bimixps"}, 4, 2, 0, rows), "E_STATE", kAny);
  bimix::AccumulatorConfig bad = cfg;
  bad.nestedRates = {0.25, 0.5};
  bimix::Accumulator b(bad);
  CHECK_ERR(b.init(), "E_USAGE", kAny);
}

}  // namespace

int main(int argc, char** argv) {
  std::string only = argc > 1 ? argv[1] : "";
  for (const TestCase& t : registry()) {
    if (!only.empty() && only != t.name) continue;
    gCurrent = t.name;
    int before = gFailures;
    t.fn();
    std::fprintf(stderr, "%s %s\n", gFailures == before ? "ok  " : "FAIL", t.name);
  }
  std::string cmd = "rm -rf '" + scratch() + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", scratch().c_str());
  std::fprintf(stderr, "%d checks, %d failures\n", gChecks, gFailures);
  return gFailures == 0 ? 0 : 1;
}
