// Megatron-LM / GPT-NeoX indexed dataset: X.bin (tokens) + X.idx (index).
#include <string>

#include "bytes.h"
#include "source.h"

namespace bimix {

namespace {
const uint8_t kMagic[9] = {'M', 'M', 'I', 'D', 'I', 'D', 'X', 0, 0};

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Status parseMegatronIndex(const uint8_t* idx, uint64_t size, uint64_t binSize, const std::string& path,
                          MegatronIndex& out) {
  if (size == 0) return Status::Error(ec::E_EMPTY, path, 0, "empty .idx file");
  if (size >= 6 && std::memcmp(idx, "TNTIDX", 6) == 0)
    return Status::Error(ec::E_FORMAT, path, 0,
                         "legacy TNTIDX index (fairseq/old Megatron 'cached' format) is not supported; "
                         "re-index with Megatron's MMIDIDX builder");
  if (size < 9 || std::memcmp(idx, kMagic, 9) != 0)
    return Status::Error(ec::E_FORMAT, path, 0, "not a Megatron index: magic MMIDIDX\\0\\0 missing");
  const uint64_t headerSize = 9 + 8 + 1 + 8 + 8;
  if (size < headerSize) return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), "index header truncated");
  uint64_t version = loadLE<uint64_t>(idx + 9);
  if (version != 1)
    return Status::Error(ec::E_FORMAT, path, 9, "unsupported index version " + std::to_string(version) + " (expected 1)");
  uint8_t code = idx[17];
  switch (code) {
    case 1: out.dtype = DType::U8; break;
    case 3: out.dtype = DType::I16; break;
    case 4: out.dtype = DType::I32; break;
    case 8: out.dtype = DType::U16; break;
    case 2:
    case 5:
    case 6:
    case 7:
      return Status::Error(ec::E_FORMAT, path, 17,
                           "dtype code " + std::to_string(code) +
                               " (i8, i64, f64 or f32) cannot hold token ids; expected 1 (u8), 3 (i16), 4 (i32) or 8 (u16)");
    default: return Status::Error(ec::E_FORMAT, path, 17, "unknown dtype code " + std::to_string(code));
  }
  uint64_t S = loadLE<uint64_t>(idx + 18);
  uint64_t D = loadLE<uint64_t>(idx + 26);
  // Bound the counts by the file size before computing any array size from them.
  uint64_t rest = size - headerSize;
  if (S > rest / 12 || D > rest / 8 || S * 12 + D * 8 > rest)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size),
                         "index declares " + std::to_string(S) + " sequences and " + std::to_string(D) +
                             " document indices, more than the file holds");
  if (S * 12 + D * 8 != rest)
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(headerSize + S * 12 + D * 8),
                         "index size disagrees with its header (" + std::to_string(rest - S * 12 - D * 8) +
                             " trailing bytes)");
  if (D < 1) return Status::Error(ec::E_FORMAT, path, 26, "document_count must be at least 1");
  const uint8_t* lens = idx + headerSize;
  const uint8_t* ptrs = lens + S * 4;
  const uint8_t* docs = ptrs + S * 8;
  const uint32_t w = dtypeWidth(out.dtype);
  // Sequences must tile .bin contiguously from byte 0: that is what Megatron's
  // builder writes, and it lets every chunk address tokens by position.
  std::vector<uint64_t> seqEnd(S);
  uint64_t expected = 0;
  for (uint64_t i = 0; i < S; ++i) {
    int32_t len = loadLE<int32_t>(lens + i * 4);
    int64_t ptr = loadLE<int64_t>(ptrs + i * 8);
    int64_t lenOff = static_cast<int64_t>(headerSize + i * 4);
    int64_t ptrOff = static_cast<int64_t>(headerSize + S * 4 + i * 8);
    if (len < 0) return Status::Error(ec::E_FORMAT, path, lenOff, "negative sequence length");
    if (ptr < 0 || static_cast<uint64_t>(ptr) > binSize)
      return Status::Error(ec::E_FORMAT, path, ptrOff,
                           "sequence pointer " + std::to_string(ptr) + " lies outside .bin (" + std::to_string(binSize) +
                               " bytes)");
    if (static_cast<uint64_t>(ptr) != expected * w)
      return Status::Error(ec::E_FORMAT, path, ptrOff,
                           "sequence " + std::to_string(i) + " does not follow the previous one in .bin (pointer " +
                               std::to_string(ptr) + ", expected " + std::to_string(expected * w) + ")");
    expected += static_cast<uint64_t>(len);
    if (expected * w > binSize)
      return Status::Error(ec::E_FORMAT, path, lenOff,
                           "sequence " + std::to_string(i) + " ends past the end of .bin (" + std::to_string(binSize) +
                               " bytes)");
    seqEnd[i] = expected;
  }
  if (expected * w != binSize)
    return Status::Error(ec::E_FORMAT, path, -1,
                         ".bin holds " + std::to_string(binSize) + " bytes but the index covers " +
                             std::to_string(expected * w));
  out.sequences = S;
  out.documents = D - 1;
  out.totalTokens = expected;
  out.docEndTokens.clear();
  out.docEndTokens.reserve(D > 0 ? D - 1 : 0);
  int64_t prev = 0;
  for (uint64_t k = 0; k < D; ++k) {
    int64_t v = loadLE<int64_t>(docs + k * 8);
    int64_t off = static_cast<int64_t>(headerSize + S * 12 + k * 8);
    if (k == 0 && v != 0) return Status::Error(ec::E_FORMAT, path, off, "document_indices must start at 0");
    if (v < prev || static_cast<uint64_t>(v) > S)
      return Status::Error(ec::E_FORMAT, path, off, "document_indices must rise from 0 to the sequence count");
    if (k > 0) out.docEndTokens.push_back(v == 0 ? 0 : seqEnd[static_cast<uint64_t>(v) - 1]);
    prev = v;
  }
  if (static_cast<uint64_t>(prev) != S)
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(size - 8),
                         "document_indices end at " + std::to_string(prev) + ", not at the sequence count " +
                             std::to_string(S));
  return Status::Ok();
}

// Resolves a Megatron dataset named by X.bin, X.idx or X to its two paths.
void megatronPaths(const std::string& path, std::string& bin, std::string& idx) {
  std::string prefix = path;
  if (endsWith(path, ".bin") || endsWith(path, ".idx")) prefix = path.substr(0, path.size() - 4);
  bin = prefix + ".bin";
  idx = prefix + ".idx";
}

Status openMegatron(const SourceSpec& spec, TokenSource& out) {
  std::string bin, idx;
  megatronPaths(spec.path, bin, idx);
  MappedFile idxFile;
  BIMIX_TRY(idxFile.open(idx));
  BIMIX_TRY(out.data.open(bin));
  MegatronIndex index;
  BIMIX_TRY(parseMegatronIndex(idxFile.data(), idxFile.size(), out.data.size(), idx, index));
  if (out.data.size() == 0) return Status::Error(ec::E_EMPTY, bin, 0, "empty .bin file");
  out.path = bin;
  out.format = "megatron";
  out.dtype = index.dtype;
  out.dataOffset = 0;
  out.tokens = index.totalTokens;
  out.hasDocEnds = true;
  out.docEnds = std::move(index.docEndTokens);
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  return normaliseDocEnds(out.docEnds, out.tokens, idx);
}

}  // namespace bimix
