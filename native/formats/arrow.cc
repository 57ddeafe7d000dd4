// Arrow IPC files and streams (Hugging Face `datasets` shards): one list<int>
// column, each row one document. Only the metadata is parsed (a bounds-checked
// flatbuffer walk of the schema and record-batch headers); the offsets and
// values buffers are read in place from the mapping.
#include <cstring>

#include "bytes.h"
#include "source.h"

namespace bimix {

namespace {

// ---- a minimal flatbuffer reader: every read is checked against [0, size) ----

struct Buf {
  const uint8_t* p;
  uint64_t size;
};

struct Table {
  uint64_t pos = 0;     // table start (inside the buffer)
  uint64_t vt = 0;      // vtable start
  uint16_t vtSize = 0;  // vtable bytes
  uint16_t tSize = 0;   // table bytes
};

bool has(const Buf& b, uint64_t off, uint64_t n) { return off <= b.size && n <= b.size - off; }

bool tableAt(const Buf& b, uint64_t pos, Table& t) {
  if (!has(b, pos, 4)) return false;
  int64_t vt = static_cast<int64_t>(pos) - loadLE<int32_t>(b.p + pos);
  if (vt < 0 || !has(b, static_cast<uint64_t>(vt), 4)) return false;
  t.pos = pos;
  t.vt = static_cast<uint64_t>(vt);
  t.vtSize = loadLE<uint16_t>(b.p + t.vt);
  t.tSize = loadLE<uint16_t>(b.p + t.vt + 2);
  return t.vtSize >= 4 && t.vtSize % 2 == 0 && has(b, t.vt, t.vtSize) && t.tSize >= 4 && has(b, pos, t.tSize);
}

// Offset of field `i` inside the table, 0 when absent; false when it does not fit.
bool field(const Buf& b, const Table& t, int i, uint64_t width, uint64_t& at) {
  (void)b;
  uint64_t slot = 4 + 2 * static_cast<uint64_t>(i);
  at = 0;
  if (slot + 2 > t.vtSize) return true;
  uint16_t off = loadLE<uint16_t>(b.p + t.vt + slot);
  if (off == 0) return true;
  if (static_cast<uint64_t>(off) + width > t.tSize) return false;
  at = t.pos + off;
  return true;
}

template <typename T>
bool scalar(const Buf& b, const Table& t, int i, T def, T& out) {
  uint64_t at;
  if (!field(b, t, i, sizeof(T), at)) return false;
  out = at == 0 ? def : loadLE<T>(b.p + at);
  return true;
}

// Follows a uoffset field; `present` false when the field is absent.
bool indirect(const Buf& b, const Table& t, int i, uint64_t& target, bool& present) {
  uint64_t at;
  if (!field(b, t, i, 4, at)) return false;
  present = at != 0;
  if (!present) return true;
  target = at + loadLE<uint32_t>(b.p + at);
  return target < b.size;
}

bool subTable(const Buf& b, const Table& t, int i, Table& out, bool& present) {
  uint64_t target;
  if (!indirect(b, t, i, target, present)) return false;
  return !present || tableAt(b, target, out);
}

// A vector of `elem`-byte items: its first item's offset and its length.
bool vec(const Buf& b, const Table& t, int i, uint64_t elem, uint64_t& start, uint64_t& len) {
  uint64_t target;
  bool present;
  start = len = 0;
  if (!indirect(b, t, i, target, present)) return false;
  if (!present) return true;
  if (!has(b, target, 4)) return false;
  len = loadLE<uint32_t>(b.p + target);
  start = target + 4;
  return len <= (b.size - start) / elem;
}

bool vecTable(const Buf& b, uint64_t start, uint64_t k, Table& out) {
  uint64_t at = start + 4 * k;
  return tableAt(b, at + loadLE<uint32_t>(b.p + at), out);
}

bool str(const Buf& b, const Table& t, int i, std::string& out) {
  uint64_t start, len;
  if (!vec(b, t, i, 1, start, len)) return false;
  out.assign(reinterpret_cast<const char*>(b.p + start), static_cast<size_t>(len));
  return true;
}

// ---- Arrow metadata -----------------------------------------------------------

enum : uint8_t { kSchema = 1, kDictionaryBatch = 2, kRecordBatch = 3 };
enum : uint8_t { kInt = 2, kList = 12, kLargeList = 21 };

struct Column {
  uint64_t node = 0, buffer = 0;  // index of the list's node and first buffer
  uint64_t nodes = 0, buffers = 0;  // totals over the schema
  bool large = false;
  DType dtype = DType::I32;
};

struct Ctx {
  const std::string& path;
  Status fail(int64_t off, const std::string& msg) const { return Status::Error(ec::E_FORMAT, path, off, msg); }
};

// Counts the nodes and buffers a field adds to a record batch (pre-order).
Status countField(const Ctx& c, const Buf& b, const Table& f, int depth, uint64_t& nodes, uint64_t& buffers) {
  if (depth > 32) return c.fail(-1, "schema nests deeper than 32 levels");
  uint8_t type = 0;
  Table dict;
  bool isDict = false;
  if (!scalar<uint8_t>(b, f, 2, 0, type) || !subTable(b, f, 4, dict, isDict))
    return c.fail(-1, "corrupt field in the schema");
  nodes += 1;
  if (isDict) {  // record batches carry the dictionary indices only
    buffers += 2;
    return Status::Ok();
  }
  switch (type) {
    case 1: break;                        // Null
    case 2: case 3: case 6: case 7: case 8: case 9: case 10: case 11: case 15: case 18:
      buffers += 2; break;                // fixed width: validity, data
    case 4: case 5: case 19: case 20:
      buffers += 3; break;                // (large) binary/utf8: validity, offsets, data
    case 12: case 17: case 21:
      buffers += 2; break;                // (large) list, map: validity, offsets
    case 13: case 16:
      buffers += 1; break;                // struct, fixed-size list: validity
    case 14: {                            // union: type ids (+ offsets when dense)
      Table u;
      bool present;
      int16_t mode = 0;
      if (!subTable(b, f, 3, u, present) || (present && !scalar<int16_t>(b, u, 0, 0, mode)))
        return c.fail(-1, "corrupt union type in the schema");
      buffers += mode == 1 ? 2 : 1;
      break;
    }
    case 22: break;                       // run-end encoded: children only
    default:
      return c.fail(-1, "a column of Arrow type code " + std::to_string(type) +
                            " (view or unknown type) is not supported; select the token column into a new file");
  }
  uint64_t start, len;
  if (!vec(b, f, 5, 4, start, len)) return c.fail(-1, "corrupt field children in the schema");
  for (uint64_t k = 0; k < len; ++k) {
    Table child;
    if (!vecTable(b, start, k, child)) return c.fail(-1, "corrupt field child in the schema");
    BIMIX_TRY(countField(c, b, child, depth + 1, nodes, buffers));
  }
  return Status::Ok();
}

// Finds `name` among the schema's top-level fields and checks it is a list of integers.
Status findColumn(const Ctx& c, const Buf& b, const Table& schema, const std::string& name, Column& col) {
  int16_t endianness = 0;
  if (!scalar<int16_t>(b, schema, 0, 0, endianness)) return c.fail(-1, "corrupt schema");
  if (endianness != 0) return c.fail(-1, "big-endian Arrow data is not supported");
  uint64_t start, len;
  if (!vec(b, schema, 1, 4, start, len)) return c.fail(-1, "corrupt schema fields");
  bool found = false;
  std::string names;
  for (uint64_t k = 0; k < len; ++k) {
    Table f;
    std::string fname;
    if (!vecTable(b, start, k, f) || !str(b, f, 0, fname)) return c.fail(-1, "corrupt schema field");
    if (names.size() < 200) names += (names.empty() ? "" : ", ") + fname;
    if (!found && fname == name) {
      found = true;
      col.node = col.nodes;
      col.buffer = col.buffers;
      uint8_t type = 0;
      Table dict;
      bool isDict;
      uint64_t cs, cl;
      if (!scalar<uint8_t>(b, f, 2, 0, type) || !subTable(b, f, 4, dict, isDict) || !vec(b, f, 5, 4, cs, cl))
        return c.fail(-1, "corrupt field " + name);
      if (isDict) return c.fail(-1, "column " + name + " is dictionary-encoded; tokens must be a plain list of integers");
      if (type != kList && type != kLargeList)
        return c.fail(-1, "column " + name + " is not a list (Arrow type code " + std::to_string(type) +
                              "); token columns are list<int> or large_list<int>");
      Table child, intType;
      bool present;
      uint8_t ctype = 0;
      if (cl != 1 || !vecTable(b, cs, 0, child) || !scalar<uint8_t>(b, child, 2, 0, ctype) ||
          !subTable(b, child, 4, dict, isDict))
        return c.fail(-1, "corrupt list field " + name);
      if (ctype != kInt || isDict || !subTable(b, child, 3, intType, present) || !present)
        return c.fail(-1, "column " + name + " holds lists of Arrow type code " + std::to_string(ctype) +
                              ", not of integers");
      int32_t bits = 0;
      uint8_t signedByte = 0;  // a flatbuffer bool is a byte; any non-zero value is true
      if (!scalar<int32_t>(b, intType, 0, 0, bits) || !scalar<uint8_t>(b, intType, 1, 0, signedByte))
        return c.fail(-1, "corrupt integer type of column " + name);
      const bool isSigned = signedByte != 0;
      if (bits == 8) col.dtype = isSigned ? DType::I8 : DType::U8;
      else if (bits == 16) col.dtype = isSigned ? DType::I16 : DType::U16;
      else if (bits == 32) col.dtype = isSigned ? DType::I32 : DType::U32;
      else if (bits == 64 && isSigned) col.dtype = DType::I64;
      else
        return c.fail(-1, "column " + name + " holds " + (isSigned ? "int" : "uint") + std::to_string(bits) +
                              " values; token ids must be int8..int64 or uint8..uint32");
      col.large = type == kLargeList;
    }
    BIMIX_TRY(countField(c, b, f, 0, col.nodes, col.buffers));
  }
  if (!found)
    return Status::Error(ec::E_FORMAT, c.path, -1,
                         "no column named " + name + " (columns: " + names + "); pass --column NAME");
  return Status::Ok();
}

// One encapsulated message at `pos`: its flatbuffer and its body.
struct Message {
  Buf meta{nullptr, 0};
  Table root;
  uint8_t type = 0;
  uint64_t body = 0, bodyLength = 0, next = 0;
  bool eos = false;
};

Status readMessage(const Ctx& c, const uint8_t* data, uint64_t size, uint64_t pos, Message& m) {
  const int64_t at = static_cast<int64_t>(pos);
  if (pos > size || size - pos < 4) return Status::Error(ec::E_TRUNCATED, c.path, at, "Arrow message header truncated");
  uint64_t prefix = 4;
  uint32_t len = loadLE<uint32_t>(data + pos);
  if (len == 0xFFFFFFFFu) {
    if (size - pos < 8) return Status::Error(ec::E_TRUNCATED, c.path, at, "Arrow message header truncated");
    len = loadLE<uint32_t>(data + pos + 4);
    prefix = 8;
  }
  if (len == 0) {
    m.eos = true;
    m.next = pos + prefix;
    return Status::Ok();
  }
  if (len > 0x7FFFFFFFu || len > size - pos - prefix)
    return Status::Error(ec::E_TRUNCATED, c.path, at, "Arrow message of " + std::to_string(len) + " bytes runs past the end");
  m.meta = Buf{data + pos + prefix, len};
  uint64_t rootOff = len >= 4 ? loadLE<uint32_t>(m.meta.p) : len;
  int16_t version = 0;
  int64_t bodyLength = 0;
  if (!tableAt(m.meta, rootOff, m.root) || !scalar<int16_t>(m.meta, m.root, 0, 0, version) ||
      !scalar<uint8_t>(m.meta, m.root, 1, 0, m.type) || !scalar<int64_t>(m.meta, m.root, 3, 0, bodyLength))
    return c.fail(at, "corrupt Arrow message metadata");
  if (version < 3) return c.fail(at, "Arrow metadata version " + std::to_string(version) + " predates 1.0 (V4); rewrite the file");
  m.body = pos + prefix + len;
  if (bodyLength < 0 || static_cast<uint64_t>(bodyLength) > size - m.body)
    return Status::Error(ec::E_TRUNCATED, c.path, at, "Arrow message body runs past the end of the file");
  m.bodyLength = static_cast<uint64_t>(bodyLength);
  m.next = m.body + m.bodyLength;
  return Status::Ok();
}

struct BufferRef {
  uint64_t offset, length;  // absolute in the file
};

// Validates one record batch and records where the column's tokens are.
Status readBatch(const Ctx& c, const uint8_t* data, const Message& m, const Column& col, ArrowBatch& out) {
  const Buf& b = m.meta;
  const int64_t at = static_cast<int64_t>(m.body);
  Table rb, comp;
  bool present;
  int64_t rows = 0;
  if (!subTable(b, m.root, 2, rb, present) || !present || !scalar<int64_t>(b, rb, 0, 0, rows) ||
      !subTable(b, rb, 3, comp, present))
    return c.fail(at, "corrupt record batch header");
  if (present) {
    int8_t codec = 0;
    if (!scalar<int8_t>(b, comp, 0, 0, codec)) return c.fail(at, "corrupt record batch compression");
    return c.fail(at, std::string("record batch bodies are compressed (") + (codec == 1 ? "ZSTD" : "LZ4_FRAME") +
                          "), which is not supported; rewrite the file uncompressed (datasets save_to_disk does)");
  }
  uint64_t ns, nl, bs, bl;
  if (!vec(b, rb, 1, 16, ns, nl) || !vec(b, rb, 2, 16, bs, bl)) return c.fail(at, "corrupt record batch header");
  if (nl != col.nodes || bl != col.buffers)
    return c.fail(at, "record batch has " + std::to_string(nl) + " field nodes and " + std::to_string(bl) +
                          " buffers; the schema implies " + std::to_string(col.nodes) + " and " + std::to_string(col.buffers));
  if (rows < 0) return c.fail(at, "negative record batch length");
  auto node = [&](uint64_t k, int64_t& length, int64_t& nulls) {
    length = loadLE<int64_t>(b.p + ns + 16 * k);
    nulls = loadLE<int64_t>(b.p + ns + 16 * k + 8);
  };
  auto buffer = [&](uint64_t k, BufferRef& r) -> Status {
    int64_t off = loadLE<int64_t>(b.p + bs + 16 * k);
    int64_t len = loadLE<int64_t>(b.p + bs + 16 * k + 8);
    if (off < 0 || len < 0 || static_cast<uint64_t>(off) > m.bodyLength ||
        static_cast<uint64_t>(len) > m.bodyLength - static_cast<uint64_t>(off))
      return c.fail(at, "buffer " + std::to_string(k) + " lies outside its record batch body");
    r = BufferRef{m.body + static_cast<uint64_t>(off), static_cast<uint64_t>(len)};
    return Status::Ok();
  };
  int64_t listLen, listNulls, valLen, valNulls;
  node(col.node, listLen, listNulls);
  node(col.node + 1, valLen, valNulls);
  if (listLen != rows) return c.fail(at, "token column has " + std::to_string(listLen) + " rows, the batch " + std::to_string(rows));
  if (valLen < 0 || listNulls < 0 || listNulls > listLen) return c.fail(at, "corrupt field node of the token column");
  if (valNulls != 0) return c.fail(at, "the token column holds null token ids");
  BufferRef validity, offsets, values;
  BIMIX_TRY(buffer(col.buffer, validity));
  BIMIX_TRY(buffer(col.buffer + 1, offsets));
  BIMIX_TRY(buffer(col.buffer + 3, values));
  const uint64_t n = static_cast<uint64_t>(rows);
  const uint64_t ow = col.large ? 8 : 4;
  const uint64_t vw = dtypeWidth(col.dtype);
  if (n > 0 && offsets.length / ow < n + 1)
    return c.fail(static_cast<int64_t>(offsets.offset), "offsets buffer too short for " + std::to_string(n) + " rows");
  if (values.length / vw < static_cast<uint64_t>(valLen))
    return c.fail(static_cast<int64_t>(values.offset), "values buffer too short for " + std::to_string(valLen) + " values");
  if (listNulls > 0 && validity.length < (n + 7) / 8)
    return c.fail(static_cast<int64_t>(validity.offset), "validity bitmap too short");
  out.rows = n;
  out.ends.clear();
  out.ends.reserve(n);
  auto offsetAt = [&](uint64_t i) -> int64_t {
    const uint8_t* p = data + offsets.offset + i * ow;
    return col.large ? loadLE<int64_t>(p) : static_cast<int64_t>(loadLE<int32_t>(p));
  };
  int64_t first = n > 0 ? offsetAt(0) : 0;
  int64_t prev = first;
  if (first < 0 || first > valLen) return c.fail(static_cast<int64_t>(offsets.offset), "first offset outside the values");
  for (uint64_t i = 0; i < n; ++i) {
    int64_t end = offsetAt(i + 1);
    int64_t where = static_cast<int64_t>(offsets.offset + (i + 1) * ow);
    if (end < prev) return c.fail(where, "offsets decrease at row " + std::to_string(i));
    if (end > valLen) return c.fail(where, "row " + std::to_string(i) + " ends past the " + std::to_string(valLen) + " values");
    if (listNulls > 0 && ((data[validity.offset + i / 8] >> (i % 8)) & 1) == 0 && end != prev)
      return c.fail(where, "null row " + std::to_string(i) + " has a non-empty value range");
    out.ends.push_back(static_cast<uint64_t>(end - first));
    prev = end;
  }
  out.valuesByte = values.offset + static_cast<uint64_t>(first) * vw;
  out.tokens = static_cast<uint64_t>(prev - first);
  return Status::Ok();
}

}  // namespace

Status parseArrow(const uint8_t* data, uint64_t size, const std::string& path, const std::string& column,
                  ArrowLayout& out) {
  Ctx c{path};
  out.batches.clear();
  const std::string name = column.empty() ? "input_ids" : column;
  out.fileFormat = size >= 6 && std::memcmp(data, "ARROW1", 6) == 0;
  Column col;
  Message m;
  if (out.fileFormat) {
    // File: "ARROW1" pad, stream, footer, int32 footer size, "ARROW1".
    if (size < 18 || std::memcmp(data + size - 6, "ARROW1", 6) != 0)
      return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size), "Arrow file without its closing ARROW1 magic");
    uint32_t flen = loadLE<uint32_t>(data + size - 10);
    if (flen > size - 18) return Status::Error(ec::E_TRUNCATED, path, static_cast<int64_t>(size - 10), "Arrow footer size out of range");
    Buf f{data + size - 10 - flen, flen};
    const int64_t fAt = static_cast<int64_t>(size - 10 - flen);
    Table footer, schema;
    bool present;
    if (flen < 4 || !tableAt(f, loadLE<uint32_t>(f.p), footer) || !subTable(f, footer, 1, schema, present) || !present)
      return c.fail(fAt, "corrupt Arrow footer");
    BIMIX_TRY(findColumn(c, f, schema, name, col));
    uint64_t start, len;
    if (!vec(f, footer, 3, 24, start, len)) return c.fail(fAt, "corrupt Arrow footer record batch list");
    for (uint64_t k = 0; k < len; ++k) {
      int64_t off = loadLE<int64_t>(f.p + start + 24 * k);
      if (off < 8 || static_cast<uint64_t>(off) >= size - 10 - flen)
        return c.fail(fAt, "record batch " + std::to_string(k) + " lies outside the file");
      BIMIX_TRY(readMessage(c, data, size - 10 - flen, static_cast<uint64_t>(off), m));
      if (m.eos || m.type != kRecordBatch) return c.fail(off, "footer block " + std::to_string(k) + " is not a record batch");
      ArrowBatch batch;
      BIMIX_TRY(readBatch(c, data, m, col, batch));
      out.batches.push_back(std::move(batch));
    }
  } else {
    uint64_t pos = 0;
    bool haveSchema = false;
    while (pos < size) {
      BIMIX_TRY(readMessage(c, data, size, pos, m));
      if (m.eos) break;
      if (!haveSchema) {
        if (m.type != kSchema) return c.fail(static_cast<int64_t>(pos), "Arrow stream does not start with a schema");
        Table schema;
        bool present;
        if (!subTable(m.meta, m.root, 2, schema, present) || !present) return c.fail(static_cast<int64_t>(pos), "corrupt schema message");
        BIMIX_TRY(findColumn(c, m.meta, schema, name, col));
        haveSchema = true;
      } else if (m.type == kRecordBatch) {
        ArrowBatch batch;
        BIMIX_TRY(readBatch(c, data, m, col, batch));
        out.batches.push_back(std::move(batch));
      } else if (m.type != kDictionaryBatch) {
        return c.fail(static_cast<int64_t>(pos), "unexpected Arrow message type " + std::to_string(m.type));
      }
      pos = m.next;
    }
    if (!haveSchema) return Status::Error(ec::E_TRUNCATED, path, 0, "Arrow stream without a schema message");
  }
  out.dtype = col.dtype;
  return Status::Ok();
}

Status openArrow(const SourceSpec& spec, TokenSource& out) {
  BIMIX_TRY(out.data.open(spec.path));
  if (out.data.size() == 0) return Status::Error(ec::E_EMPTY, spec.path, 0, "empty file");
  ArrowLayout layout;
  BIMIX_TRY(parseArrow(out.data.data(), out.data.size(), spec.path, spec.column, layout));
  out.path = spec.path;
  out.format = "arrow";
  out.dtype = layout.dtype;
  out.separator = spec.eos >= 0 ? spec.eos : -1;
  out.hasDocEnds = true;
  const uint32_t w = dtypeWidth(layout.dtype);
  uint64_t pos = 0;
  for (ArrowBatch& b : layout.batches) {
    if (b.tokens == 0) continue;
    TokenSource part;
    part.path = out.path;
    part.format = out.format;
    part.dtype = out.dtype;
    part.separator = out.separator;
    part.first = pos;
    part.tokens = pos + b.tokens;
    // Position p of this run is at valuesByte + (p - first) * w; computed in
    // unsigned arithmetic so that the base may lie below the mapping.
    part.dataOffset = b.valuesByte - pos * w;
    part.view = reinterpret_cast<const uint8_t*>(reinterpret_cast<uintptr_t>(out.data.data()) + part.dataOffset);
    part.hasDocEnds = true;
    part.docEnds.reserve(b.ends.size() + 1);
    if (pos > 0) part.docEnds.push_back(pos);
    for (uint64_t e : b.ends) part.docEnds.push_back(pos + e);
    for (uint64_t e : b.ends) out.docEnds.push_back(pos + e);
    pos += b.tokens;
    out.parts.push_back(std::move(part));
  }
  out.tokens = pos;
  return Status::Ok();
}

}  // namespace bimix
