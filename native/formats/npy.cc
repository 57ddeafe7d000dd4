// NumPy .npy files (format versions 1-3): 1-D little-endian u16/u32/i32 arrays in C order.
#include <string>

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

Status parseNpyHeader(const uint8_t* data, uint64_t size, const std::string& path, NpyHeader& out) {
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
  std::string descr, fortran, shape;
  if (!dictValue(header, "descr", descr) || !dictValue(header, "fortran_order", fortran) ||
      !dictValue(header, "shape", shape))
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), ".npy header lacks descr, fortran_order or shape");
  if (descr == "<u2" || descr == "=u2" || descr == "|u2") out.dtype = DType::U16;
  else if (descr == "<u4" || descr == "=u4") out.dtype = DType::U32;
  else if (descr == "<i4" || descr == "=i4") out.dtype = DType::I32;
  else if (descr == "|u1" || descr == "<u1") out.dtype = DType::U8;
  else
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start),
                         ".npy dtype '" + descr + "' is not a token type (expected <u2, <u4 or <i4, little-endian)");
  if (fortran != "False" && shape.find(',') != shape.rfind(','))
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), "Fortran-order arrays are not supported");
  // shape must be (n,) : one dimension.
  if (shape.size() < 3 || shape.front() != '(' || shape.back() != ')')
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), "malformed shape " + shape);
  std::string inner = shape.substr(1, shape.size() - 2);
  size_t comma = inner.find(',');
  std::string first = comma == std::string::npos ? inner : inner.substr(0, comma);
  std::string after = comma == std::string::npos ? "" : inner.substr(comma + 1);
  while (!after.empty() && after.front() == ' ') after.erase(after.begin());
  if (comma == std::string::npos || !after.empty())
    return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), "expected a 1-D array, shape is " + shape);
  if (first.empty() || first.size() > 19) return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), "bad shape " + shape);
  uint64_t n = 0;
  for (char c : first) {
    if (c < '0' || c > '9') return Status::Error(ec::E_FORMAT, path, static_cast<int64_t>(start), "bad shape " + shape);
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  out.dataOffset = start + headerLen;
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
