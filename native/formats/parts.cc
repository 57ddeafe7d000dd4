// Narrowing of 64-bit token ids, and sources of tokens decoded upstream.
#include "parts.h"

#include "bytes.h"

namespace bimix {

Status narrowPart(const TokenSource& part, uint64_t lo, uint64_t hi, uint64_t limit, uint64_t vocab,
                  std::vector<uint32_t>& scratch, TokenSource& view) {
  scratch.resize(hi - lo);
  const uint8_t* base = part.tokenBytes();
  for (uint64_t i = lo; i < hi; ++i) {
    int64_t v = loadLE<int64_t>(base + i * 8);
    if (v < 0 || static_cast<uint64_t>(v) >= limit) {
      int64_t off = static_cast<int64_t>(part.byteOffsetOf(i));
      if (v < 0) return Status::Error(ec::E_TOKEN_RANGE, part.path, off, "negative token id " + std::to_string(v));
      if (vocab != 0 && static_cast<uint64_t>(v) >= vocab)
        return Status::Error(ec::E_TOKEN_RANGE, part.path, off,
                             "token id " + std::to_string(v) + " is outside the vocabulary (--vocab " +
                                 std::to_string(vocab) + ")");
      return Status::Error(ec::E_TOKEN_RANGE, part.path, off,
                           "token id " + std::to_string(v) + " exceeds the supported maximum " + std::to_string(limit - 1));
    }
    scratch[i - lo] = static_cast<uint32_t>(v);
  }
  view.path = part.path;
  view.format = part.format;
  view.dtype = DType::U32;
  view.tokens = part.tokens;
  view.first = part.first;
  view.separator = part.separator;
  view.hasDocEnds = part.hasDocEnds;
  view.docEnds = part.docEnds;
  view.dataOffset = part.dataOffset;  // error offsets of a view are not used: ids were checked here
  view.view = reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(scratch.data()) - lo * 4);
  return Status::Ok();
}

Status openMemory(const SourceSpec& spec, TokenSource& out) {
  out.path = spec.path;
  out.format = "memory";
  out.dtype = DType::U32;
  out.owned = spec.memory;
  out.first = spec.first;
  out.tokens = spec.first + out.owned.size();
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  out.view = reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(out.owned.data()) - spec.first * 4);
  out.dataOffset = 0;
  out.hasDocEnds = true;
  if (spec.first > 0) out.docEnds.push_back(spec.first);
  for (uint64_t e : spec.docEnds) {
    if (e < spec.first) return Status::Error(ec::E_USAGE, spec.path, -1, "document end before the first position");
    out.docEnds.push_back(e);
  }
  return normaliseDocEnds(out.docEnds, out.tokens, spec.path);
}

}  // namespace bimix
