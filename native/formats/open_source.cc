// Opening a token source: the readers of every format, dispatched under the SIGBUS guard, and their shared helpers.
#include <cstring>

#include "../common/fault_guard.h"
#include "bytes.h"
#include "source.h"

namespace bimix {

void megatronPaths(const std::string& path, std::string& bin, std::string& idx);

const char* dtypeName(DType d) {
  switch (d) {
    case DType::U8: return "u8";
    case DType::U16: return "u16";
    case DType::U32: return "u32";
    case DType::I16: return "i16";
    case DType::I32: return "i32";
    case DType::I8: return "i8";
    case DType::I64: return "i64";
  }
  return "?";
}

bool parseDType(const std::string& s, DType& out) {
  if (s == "u8") out = DType::U8;
  else if (s == "u16") out = DType::U16;
  else if (s == "u32") out = DType::U32;
  else if (s == "i16") out = DType::I16;
  else if (s == "i32") out = DType::I32;
  else return false;
  return true;
}

Status normaliseDocEnds(std::vector<uint64_t>& docEnds, uint64_t tokens, const std::string& path) {
  uint64_t prev = 0;
  for (size_t i = 0; i < docEnds.size(); ++i) {
    if (docEnds[i] < prev || docEnds[i] > tokens)
      return Status::Error(ec::E_FORMAT, path, -1,
                           "document boundary " + std::to_string(i) + " (" + std::to_string(docEnds[i]) +
                               ") is out of order or past the " + std::to_string(tokens) + " tokens");
    prev = docEnds[i];
  }
  if (docEnds.empty() || docEnds.back() != tokens) docEnds.push_back(tokens);
  return Status::Ok();
}

Status attachDocEnds(const SourceSpec& spec, TokenSource& out) {
  if (!spec.hasDocEnds) return Status::Ok();
  out.hasDocEnds = true;
  out.docEnds = spec.docEnds;
  return normaliseDocEnds(out.docEnds, out.tokens, spec.path);
}

Status openSource(const SourceSpec& spec, std::shared_ptr<TokenSource>& out) {
  auto src = std::make_shared<TokenSource>();
  std::string format = spec.format;
  if (format == "auto" || format.empty()) BIMIX_TRY(detectFormat(spec.path, format));
  if (format == "parquet")
    return Status::Error(ec::E_USAGE, spec.path, -1, "Parquet files are decoded in JavaScript; open them through the planner");
  TokenSource& into = *src;
  auto read = [&]() -> Status {
    if (format == "megatron") return openMegatron(spec, into);
    if (format == "llmc") return openLlmc(spec, into);
    if (format == "raw") return openRaw(spec, into);
    if (format == "npy") return openNpy(spec, into);
    if (format == "datatrove") return openDatatrove(spec, into);
    if (format == "arrow") return openArrow(spec, into);
    if (format == "memory") return openMemory(spec, into);
    return Status::Error(ec::E_USAGE, spec.path, -1, "unknown format " + format);
  };
  // Headers and indexes are parsed from mappings too.
  BIMIX_TRY(guardMappedRead(spec.path, read));
  if (src->tokens == 0 && src->data.size() == 0 && format != "memory") return Status::Error(ec::E_EMPTY, src->path, 0, "empty file");
  out = std::move(src);
  return Status::Ok();
}

}  // namespace bimix
