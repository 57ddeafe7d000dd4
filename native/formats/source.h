// TokenSource: one tokenized file opened by a format reader. Whatever the format,
// a source is a flat little-endian array of `tokens` integers of one dtype at
// `dataOffset` in a mapped file, plus how its documents are delimited: a separator
// token, explicit document-end positions, or both.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../common/mapped_file.h"
#include "../common/status.h"

namespace bimix {

// I8 and I64 occur only in Arrow columns; I64 values are narrowed to 32 bits
// chunk by chunk (forEachPart) before any kernel sees them.
enum class DType : uint8_t { U8, U16, U32, I16, I32, I8, I64 };

inline uint32_t dtypeWidth(DType d) {
  switch (d) {
    case DType::U8:
    case DType::I8: return 1;
    case DType::I64: return 8;
    case DType::U16:
    case DType::I16: return 2;
    default: return 4;
  }
}
const char* dtypeName(DType d);
// Parses "u8", "u16", "u32", "i16", "i32"; false when unknown.
bool parseDType(const std::string& s, DType& out);

// What the caller asks for; TypeScript validates and fills it.
struct SourceSpec {
  std::string path;
  std::string format = "auto";  // auto|megatron|llmc|raw|npy|datatrove|arrow|memory
  std::string column;           // arrow: the token column ("" = input_ids)
  std::string dtype;            // "" = the format's own or its default
  int64_t eos = -2;             // -2: the format's default; -1: none; >= 0: separator id
  bool hasDocEnds = false;      // explicit document ends from a sidecar parsed upstream
  std::vector<uint64_t> docEnds;
  // format "memory": tokens decoded upstream (Parquet row groups), placed at
  // positions [first, first + memory.size()) so positions match the planner's.
  std::vector<uint32_t> memory;
  uint64_t first = 0;
};

struct TokenSource {
  std::string path;    // the file that holds the tokens
  std::string format;  // the format that was read
  MappedFile data;
  uint64_t dataOffset = 0;
  uint64_t tokens = 0;
  DType dtype = DType::U16;
  int64_t separator = -1;  // -1: none
  bool hasDocEnds = false;
  std::vector<uint64_t> docEnds;  // sorted document-end token positions (exclusive), last == tokens
  // A source whose tokens lie in several separate runs of the file (Arrow record
  // batches) is the ordered list of its runs: each part is a contiguous source in
  // the same position space, covering [first, tokens) with the parent's ids, and
  // `view` is the (virtual) address of position 0 for that run. Kernels only ever
  // see parts (forEachPart); the parent holds the mapping.
  std::vector<TokenSource> parts;
  uint64_t first = 0;
  const uint8_t* view = nullptr;
  std::vector<uint32_t> owned;  // format "memory": the decoded tokens

  uint32_t width() const { return dtypeWidth(dtype); }
  const uint8_t* tokenBytes() const { return view != nullptr ? view : data.data() + dataOffset; }
  uint64_t byteOffsetOf(uint64_t token) const { return dataOffset + token * width(); }
};

using SourcePtr = std::shared_ptr<const TokenSource>;

// Opens a source, detecting the format from magic bytes and sidecar files when
// spec.format is "auto". All header fields are validated against the file size
// before anything is allocated from them.
Status openSource(const SourceSpec& spec, std::shared_ptr<TokenSource>& out);

// Format readers (each validates its own header); used by openSource and fuzzers.
Status openMegatron(const SourceSpec& spec, TokenSource& out);
Status openLlmc(const SourceSpec& spec, TokenSource& out);
Status openRaw(const SourceSpec& spec, TokenSource& out);
Status openNpy(const SourceSpec& spec, TokenSource& out);
Status openDatatrove(const SourceSpec& spec, TokenSource& out);
Status openArrow(const SourceSpec& spec, TokenSource& out);
Status openMemory(const SourceSpec& spec, TokenSource& out);

// What `--format auto` makes of a path: a format name, or an error naming what
// the file looks like and what to do (see docs/formats.md for the rules).
Status detectFormat(const std::string& path, std::string& format);

// Pure parsers over bytes, shared by the readers and the fuzz targets.
struct MegatronIndex {
  DType dtype = DType::U16;
  uint64_t sequences = 0;
  uint64_t documents = 0;
  std::vector<uint64_t> docEndTokens;  // per document, exclusive end token position
  uint64_t totalTokens = 0;
};
Status parseMegatronIndex(const uint8_t* idx, uint64_t idxSize, uint64_t binSize, const std::string& idxPath,
                          MegatronIndex& out);
struct NpyHeader {
  DType dtype = DType::U16;
  uint64_t dataOffset = 0;
  uint64_t count = 0;
};
Status parseNpyHeader(const uint8_t* data, uint64_t size, const std::string& path, NpyHeader& out);
// The dictionary of any .npy header (format versions 1-3), before a reader checks what it needs.
struct NpyDict {
  std::string descr;
  bool fortranOrder = false;
  std::string shapeText;        // as written, e.g. "(5,)"
  std::vector<uint64_t> shape;  // parsed when shapeOk
  bool shapeOk = false;
  uint64_t headerStart = 0;     // offset of the dictionary text
  uint64_t dataOffset = 0;
};
Status parseNpyDict(const uint8_t* data, uint64_t size, const std::string& path, NpyDict& out);
// Float32 N x d embeddings (little-endian, C order, 1 <= d <= 4096, every value finite) whose data
// fills the file exactly; the values are at dataOffset.
struct EmbeddingsNpy {
  uint64_t rows = 0;
  uint64_t dims = 0;
  uint64_t dataOffset = 0;
};
Status parseEmbeddingsNpy(const uint8_t* data, uint64_t size, const std::string& path, EmbeddingsNpy& out);
// Maps `path`, checks it with parseEmbeddingsNpy, then copies the values (rows x dims, row-major)
// once into allocate(ctx, rows * dims), which the caller owns (nullptr: E_NOMEM).
Status readEmbeddingsNpy(const std::string& path, EmbeddingsNpy& out, float* (*allocate)(void* ctx, uint64_t count), void* ctx);
struct LlmcHeader {
  DType dtype = DType::U16;
  uint64_t count = 0;
  int64_t separator = -1;
};
Status parseLlmcHeader(const uint8_t* data, uint64_t size, const std::string& path, LlmcHeader& out);
Status parseDatatroveIndex(const uint8_t* data, uint64_t size, uint64_t tokens, const std::string& path,
                           std::vector<uint64_t>& docEnds);
// Arrow IPC (file or stream): where one integer-list column's buffers lie in each
// record batch, validated against the file: offsets monotone and inside the
// values, null rows empty, no nulls among the values, buffers inside the body.
struct ArrowBatch {
  uint64_t rows = 0;
  uint64_t valuesByte = 0;     // file offset of the batch's first used value
  uint64_t tokens = 0;         // values used by the rows
  std::vector<uint64_t> ends;  // per row, exclusive end (relative to the batch's first value)
};
struct ArrowLayout {
  bool fileFormat = false;  // ARROW1 file (footer) or stream
  DType dtype = DType::I32;
  std::vector<ArrowBatch> batches;
};
Status parseArrow(const uint8_t* data, uint64_t size, const std::string& path, const std::string& column,
                  ArrowLayout& out);

// Takes the document ends a sidecar gave (spec.docEnds), validated against the file.
Status attachDocEnds(const SourceSpec& spec, TokenSource& out);
// Validates that explicit document ends are sorted and within `tokens`; appends `tokens` if missing.
Status normaliseDocEnds(std::vector<uint64_t>& docEnds, uint64_t tokens, const std::string& path);

}  // namespace bimix
