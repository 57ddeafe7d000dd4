// datatrove tokenized files: X.ds (tokens), X.ds.index (u64 cumulative document
// ends, in tokens) and optionally X.ds.metadata (first line "tokenizer|2" or "|4").
#include "bytes.h"
#include "source.h"

namespace bimix {

Status parseDatatroveIndex(const uint8_t* data, uint64_t size, uint64_t tokens, const std::string& path,
                           std::vector<uint64_t>& docEnds) {
  if (size % 8 != 0)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size - size % 8),
                         "index size " + std::to_string(size) + " is not a multiple of 8");
  uint64_t n = size / 8;
  docEnds.clear();
  docEnds.reserve(n);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t v = loadLE<uint64_t>(data + i * 8);
    if (v < prev)
      return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(i * 8), "document ends must not decrease");
    if (v > tokens)
      return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(i * 8),
                           "document end " + std::to_string(v) + " is past the " + std::to_string(tokens) +
                               " tokens of the .ds file");
    docEnds.push_back(v);
    prev = v;
  }
  return Status::Ok();
}

Status openDatatrove(const SourceSpec& spec, TokenSource& out) {
  BIMIX_TRY(out.data.open(spec.path));
  DType d = DType::U16;
  std::string meta;
  if (fileExists(spec.path + ".metadata")) {
    BIMIX_TRY(readSmallFile(spec.path + ".metadata", meta, 1 << 20));
    size_t nl = meta.find('\n');
    std::string first = meta.substr(0, nl);
    size_t bar = first.rfind('|');
    if (bar != std::string::npos) {
      std::string width = first.substr(bar + 1);
      while (!width.empty() && (width.back() == '\r' || width.back() == ' ')) width.pop_back();
      if (width == "4") d = DType::U32;
      else if (width == "2") d = DType::U16;
      else
        return Status::Error(ec::E_FORMAT, spec.path + ".metadata", static_cast<int64_t>(bar + 1),
                             "token size '" + width + "' is neither 2 nor 4");
    }
  } else if (!spec.dtype.empty() && !parseDType(spec.dtype, d)) {
    return Status::Error(ec::E_USAGE, spec.path, -1, "unknown dtype " + spec.dtype);
  }
  uint64_t size = out.data.size();
  if (size == 0) return Status::Error(ec::E_EMPTY, spec.path, 0, "empty file");
  uint32_t w = dtypeWidth(d);
  if (size % w != 0)
    return Status::Error(ec::E_TRUNCATED, spec.path, static_cast<int64_t>(size - size % w),
                         "file size is not a multiple of the " + std::to_string(w) + "-byte token width");
  out.path = spec.path;
  out.format = "datatrove";
  out.dtype = d;
  out.tokens = size / w;
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  MappedFile idx;
  BIMIX_TRY(idx.open(spec.path + ".index"));
  out.hasDocEnds = true;
  BIMIX_TRY(parseDatatroveIndex(idx.data(), idx.size(), out.tokens, spec.path + ".index", out.docEnds));
  return normaliseDocEnds(out.docEnds, out.tokens, spec.path + ".index");
}

}  // namespace bimix
