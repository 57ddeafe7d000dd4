// NumPy .npy files (format versions 1-3): 1-D little-endian u16/u32/i32 token arrays in C order, and
// the float32 N x d embeddings of the VNE proxy (`--embeddings`); one header parser for both.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "../common/fault_guard.h"
#include "bytes.h"
#include "source.h"

namespace bimix {

namespace {

// Finds the value text that follows 'key': in a Python dict literal.
bool dictValue(const std::string& header, const std::string& key, std::string& value) {
  std::string needle = "'" + key + "'";
  size_t p = header.find(needle);
  if (p == std::string::npos) return false;
  p = header.find(':', p + needle.size());
  if (p == std::string::npos) return false;
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return false;
  size_t end;
  if (header[p] == '\'') {
    end = header.find('\'', p + 1);
    if (end == std::string::npos) return false;
    value = header.substr(p + 1, end - p - 1);
  } else if (header[p] == '(') {
    end = header.find(')', p);
    if (end == std::string::npos) return false;
    value = header.substr(p, end - p + 1);
  } else {
    end = header.find_first_of(",}", p);
    if (end == std::string::npos) return false;
    value = header.substr(p, end - p);
    while (!value.empty() && value.back() == ' ') value.pop_back();
  }
  return true;
}

}  // namespace

// Parses "(a, b, ...)" (a trailing comma allowed, "(n,)" for one dimension) into dims.
static bool parseShape(const std::string& shape, std::vector<uint64_t>& dims) {
  dims.clear();
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') return false;
  std::string inner = shape.substr(1, shape.size() - 2);
  size_t p = 0;
  bool comma = false;
  while (p < inner.size()) {
    while (p < inner.size() && inner[p] == ' ') ++p;
    if (p >= inner.size()) break;
    size_t q = p;
    uint64_t v = 0;
    while (q < inner.size() && inner[q] >= '0' && inner[q] <= '9') {
      if (q - p >= 19) return false;
      v = v * 10 + static_cast<uint64_t>(inner[q] - '0');
      ++q;
    }
    if (q == p) return false;
    dims.push_back(v);
    while (q < inner.size() && inner[q] == ' ') ++q;
    if (q < inner.size() && inner[q] != ',') return false;
    comma = comma || q < inner.size();
    p = q + 1;
  }
  // "(5)" is not a tuple: one dimension is written "(5,)".
  return !(dims.size() == 1 && !comma);
}

Status parseNpyDict(const uint8_t* data, uint64_t size, const std::string& path, NpyDict& out) {
  if (size == 0) return Status::Error(ec::E_EMPTY, path, 0, "empty file");
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (size < 6 || std::memcmp(data, kMagic, 6) != 0)
    return Status::Error(ec::E_FORMAT, path, 0, "not a .npy file: magic \\x93NUMPY missing");
  if (size < 10) return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), ".npy preamble truncated");
  uint8_t major = data[6];
  uint64_t headerLen, start;
  if (major == 1) {
    headerLen = loadLE<uint16_t>(data + 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), ".npy preamble truncated");
    headerLen = loadLE<uint32_t>(data + 8);
    start = 12;
  } else {
    return Status::Error(ec::E_FORMAT, path, 6, "unsupported .npy format version " + std::to_string(major));
  }
  if (headerLen > size - start)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), ".npy header runs past the end of the file");
  std::string header(reinterpret_cast<const char*>(data + start), headerLen);
  std::string fortran;
  if (!dictValue(header, "descr", out.descr) || !dictValue(header, "fortran_order", fortran) ||
      !dictValue(header, "shape", out.shapeText))
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), ".npy header lacks descr, fortran_order or shape");
  out.fortranOrder = fortran != "False";
  out.shapeOk = parseShape(out.shapeText, out.shape);
  out.headerStart = start;
  out.dataOffset = start + headerLen;
  return Status::Ok();
}

Status parseNpyHeader(const uint8_t* data, uint64_t size, const std::string& path, NpyHeader& out) {
  NpyDict d;
  BIMIX_TRY(parseNpyDict(data, size, path, d));
  const int64_t start = static_cast<int64_t>(d.headerStart);
  const std::string& descr = d.descr;
  if (descr == "<u2" || descr == "=u2" || descr == "|u2") out.dtype = DType::U16;
  else if (descr == "<u4" || descr == "=u4") out.dtype = DType::U32;
  else if (descr == "<i4" || descr == "=i4") out.dtype = DType::I32;
  else if (descr == "|u1" || descr == "<u1") out.dtype = DType::U8;
  else
    return Status::Error(ec::E_FORMAT, path, start,
                         ".npy dtype '" + descr + "' is not a token type (expected <u2, <u4 or <i4, little-endian)");
  // Fortran order only matters for more than one dimension, which is refused below anyway.
  if (d.fortranOrder && d.shapeOk && d.shape.size() > 1)
    return Status::Error(ec::E_FORMAT, path, start, "Fortran-order arrays are not supported");
  if (!d.shapeOk) return Status::Error(ec::E_FORMAT, path, start, "malformed shape " + d.shapeText);
  if (d.shape.size() != 1) return Status::Error(ec::E_FORMAT, path, start, "expected a 1-D array, shape is " + d.shapeText);
  uint64_t n = d.shape[0];
  out.dataOffset = d.dataOffset;
  uint64_t w = dtypeWidth(out.dtype);
  uint64_t avail = size - out.dataOffset;
  if (n > avail / w)
    return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size),
                         "shape says " + std::to_string(n) + " elements but the file holds " + std::to_string(avail / w));
  if (n * w != avail)
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(out.dataOffset + n * w),
                         "file has " + std::to_string(avail - n * w) + " bytes after the array");
  out.count = n;
  return Status::Ok();
}

Status parseEmbeddingsNpy(const uint8_t* data, uint64_t size, const std::string& path, EmbeddingsNpy& out) {
  NpyDict d;
  BIMIX_TRY(parseNpyDict(data, size, path, d));
  const int64_t start = static_cast<int64_t>(d.headerStart);
  if (d.descr != "<f4" && d.descr != "=f4")
    return Status::Error(ec::E_FORMAT, path, start, "embeddings must be float32 (<f4), dtype is '" + d.descr + "'");
  if (d.fortranOrder) return Status::Error(ec::E_FORMAT, path, start, "embeddings must be in C order");
  if (!d.shapeOk || d.shape.size() != 2)
    return Status::Error(ec::E_FORMAT, path, start, "embeddings must be a 2-D array (N, d), shape is " + d.shapeText);
  const uint64_t rows = d.shape[0], dims = d.shape[1];
  if (dims < 1 || dims > 4096)
    return Status::Error(ec::E_FORMAT, path, start, "embedding dimension " + std::to_string(dims) + " outside 1..4096");
  const uint64_t avail = size - d.dataOffset;
  const bool fits = rows <= (UINT64_MAX / 4) / dims;
  const uint64_t need = fits ? rows * dims * 4 : 0;
  if (!fits || need != avail) {
    const std::string what = "shape (" + std::to_string(rows) + ", " + std::to_string(dims) + ") needs " +
                             (fits ? std::to_string(need) : std::string("more than 2^64")) + " bytes of data, file has " +
                             std::to_string(avail);
    return Status::Error(!fits || avail < need ? ec::E_TRUNCATED : ec::E_FORMAT, path, static_cast<int64_t>(d.dataOffset), what);
  }
  for (uint64_t i = 0; i < rows * dims; i++) {
    const float v = loadLE<float>(data + d.dataOffset + 4 * i);
    if (!std::isfinite(v)) {
      const std::string shown = std::isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
      return Status::Error(ec::E_DATA, path, static_cast<int64_t>(d.dataOffset + 4 * i),
                           "embedding row " + std::to_string(i / dims) + ", column " + std::to_string(i % dims) + " is " + shown +
                               " (values must be finite)");
    }
  }
  out.rows = rows;
  out.dims = dims;
  out.dataOffset = d.dataOffset;
  return Status::Ok();
}

Status readEmbeddingsNpy(const std::string& path, EmbeddingsNpy& out, float* (*allocate)(void* ctx, uint64_t count), void* ctx) {
  MappedFile file;
  BIMIX_TRY(file.open(path));
  auto parse = [&]() { return parseEmbeddingsNpy(file.data(), file.size(), path, out); };
  BIMIX_TRY(guardMappedRead(path, parse));
  // Allocated outside the guard (a fault abandons the guarded pass), filled inside it: one copy.
  const uint64_t count = out.rows * out.dims;
  float* dst = allocate(ctx, count);
  if (dst == nullptr && count > 0) return Status::Error(ec::E_NOMEM, path, -1, "cannot allocate the embeddings");
  auto copy = [&]() -> Status {
    if (count > 0) std::memcpy(dst, file.data() + out.dataOffset, count * sizeof(float));
    return Status::Ok();
  };
  return guardMappedRead(path, copy);
}

Status openNpy(const SourceSpec& spec, TokenSource& out) {
  BIMIX_TRY(out.data.open(spec.path));
  NpyHeader h;
  BIMIX_TRY(parseNpyHeader(out.data.data(), out.data.size(), spec.path, h));
  out.path = spec.path;
  out.format = "npy";
  out.dtype = h.dtype;
  out.dataOffset = h.dataOffset;
  out.tokens = h.count;
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  return attachDocEnds(spec, out);
}

}  // namespace bimix
