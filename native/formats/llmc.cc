// llm.c token shards: a 256 x int32 header, then the tokens.
#include "bytes.h"
#include "source.h"

namespace bimix {

namespace {
constexpr int32_t kMagicGpt2 = 20240520;   // uint16 tokens
constexpr int32_t kMagicLlama3 = 20240801;  // uint32 tokens
constexpr uint64_t kHeaderBytes = 256 * 4;
}  // namespace

Status parseLlmcHeader(const uint8_t* data, uint64_t size, const std::string& path, LlmcHeader& out) {
  if (size == 0) return Status::Error(ec::E_EMPTY, path, 0, "empty file");
  if (size < 4) return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), "llm.c header truncated");
  int32_t magic = loadLE<int32_t>(data);
  if (magic == kMagicGpt2) {
    out.dtype = DType::U16;
    out.separator = 50256;
  } else if (magic == kMagicLlama3) {
    out.dtype = DType::U32;
    out.separator = 128000;
  } else {
    return Status::Error(ec::E_FORMAT, path, 0,
                         "not an llm.c shard: magic " + std::to_string(magic) + " (expected 20240520 or 20240801)");
  }
  if (size < kHeaderBytes)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), "llm.c header is 1024 bytes; file is shorter");
  int32_t version = loadLE<int32_t>(data + 4);
  if (version < 1) return Status::Error(ec::E_FORMAT, path, 4, "llm.c version must be positive, got " + std::to_string(version));
  int32_t count = loadLE<int32_t>(data + 8);
  if (count < 0) return Status::Error(ec::E_FORMAT, path, 8, "negative token count " + std::to_string(count));
  uint64_t w = dtypeWidth(out.dtype);
  uint64_t expected = kHeaderBytes + static_cast<uint64_t>(count) * w;
  if (size < expected)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size),
                         "header says " + std::to_string(count) + " tokens (" + std::to_string(expected) +
                             " bytes) but the file has " + std::to_string(size) + " bytes");
  if (size > expected)
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(expected),
                         "header says " + std::to_string(count) + " tokens (" + std::to_string(expected) +
                             " bytes) but the file has " + std::to_string(size) + " bytes");
  out.count = static_cast<uint64_t>(count);
  return Status::Ok();
}

Status openLlmc(const SourceSpec& spec, TokenSource& out) {
  BIMIX_TRY(out.data.open(spec.path));
  LlmcHeader h;
  BIMIX_TRY(parseLlmcHeader(out.data.data(), out.data.size(), spec.path, h));
  out.path = spec.path;
  out.format = "llmc";
  out.dtype = h.dtype;
  out.dataOffset = kHeaderBytes;
  out.tokens = h.count;
  out.separator = spec.eos == -2 ? h.separator : spec.eos;
  return attachDocEnds(spec, out);
}

}  // namespace bimix
