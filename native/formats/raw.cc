// Headerless token memmaps (nanoGPT train.bin, dolma .npy memmaps).
#include "source.h"

namespace bimix {

Status openRaw(const SourceSpec& spec, TokenSource& out) {
  BIMIX_TRY(out.data.open(spec.path));
  DType d = DType::U16;
  // A name ending in .u8 or .u32 states the width; --dtype still overrides it.
  const std::string& p = spec.path;
  if (p.size() > 4 && p.compare(p.size() - 4, 4, ".u32") == 0) d = DType::U32;
  else if (p.size() > 3 && p.compare(p.size() - 3, 3, ".u8") == 0) d = DType::U8;
  if (!spec.dtype.empty() && !parseDType(spec.dtype, d))
    return Status::Error(ec::E_USAGE, spec.path, -1, "unknown dtype " + spec.dtype);
  uint64_t size = out.data.size();
  if (size == 0) return Status::Error(ec::E_EMPTY, spec.path, 0, "empty file");
  uint32_t w = dtypeWidth(d);
  if (size % w != 0)
    return Status::Error(ec::E_TRUNCATED, spec.path, static_cast<int64_t>(size - size % w),
                         "file size " + std::to_string(size) + " is not a multiple of the " + std::to_string(w) +
                             "-byte token width (" + dtypeName(d) + ")");
  out.path = spec.path;
  out.format = "raw";
  out.dtype = d;
  out.dataOffset = 0;
  out.tokens = size / w;
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  return attachDocEnds(spec, out);
}

}  // namespace bimix
