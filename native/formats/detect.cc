// `--format auto`: what a path holds, from sidecar files and leading bytes. A
// known container or text is named and refused; headerless tokens are assumed
// only for raw-looking names (see docs/formats.md, "Auto-detection").
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "bytes.h"
#include "source.h"

namespace bimix {

void megatronPaths(const std::string& path, std::string& bin, std::string& idx);

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string baseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The extension of the file name ("" when it has none; a leading dot is not one).
std::string extension(const std::string& path) {
  std::string name = baseName(path);
  size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
}

// True when the bytes are text: no NUL and valid UTF-8 (a multi-byte sequence cut
// by the end of the sample counts as valid).
bool looksLikeText(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c == 0) return false;
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') return false;
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0) return false;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= n) return true;
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// Any directory entry (a FIFO or device too): the reader that follows refuses those by name.
bool pathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Status refuse(const std::string& path, const std::string& what) { return Status::Error(ec::E_FORMAT, path, 0, what); }

}  // namespace

Status detectFormat(const std::string& path, std::string& format) {
  std::string bin, idx;
  megatronPaths(path, bin, idx);
  if (endsWith(path, ".idx")) return format = "megatron", Status::Ok();
  if (!fileExists(path)) {
    if (fileExists(idx) && !endsWith(path, ".bin")) return format = "megatron", Status::Ok();
    return Status::Error(ec::E_IO, path, -1, "no such file");
  }
  // Any X.idx beside X.bin makes X a Megatron dataset; its reader then refuses an
  // empty or foreign index instead of the pair being read as raw tokens.
  if (endsWith(path, ".bin") && pathExists(idx)) return format = "megatron", Status::Ok();

  uint8_t head[4096];
  uint8_t tail[4] = {0, 0, 0, 0};
  size_t n = 0;
  {
    // Non-blocking and regular files only: a FIFO must not hang detection.
    int fd = -1;
    struct stat st;
    BIMIX_TRY(openRegular(path, fd, st));
    ssize_t got = ::pread(fd, head, sizeof head, 0);
    n = got > 0 ? static_cast<size_t>(got) : 0;
    if (n >= 8 && st.st_size >= 4 && ::pread(fd, tail, 4, st.st_size - 4) != 4) std::memset(tail, 0, 4);
    ::close(fd);
  }
  if (n == 0) return Status::Error(ec::E_EMPTY, path, 0, "empty file");
  auto is = [&](size_t at, const char* magic, size_t len) { return n >= at + len && std::memcmp(head + at, magic, len) == 0; };
  if (is(0, "ARROW1", 6)) return format = "arrow", Status::Ok();
  if (n >= 8 && loadLE<uint32_t>(head) == 0xFFFFFFFFu && loadLE<uint32_t>(head + 4) > 0 && loadLE<uint32_t>(head + 4) < (1u << 30))
    return format = "arrow", Status::Ok();
  if (is(0, "PAR1", 4) && std::memcmp(tail, "PAR1", 4) == 0) return format = "parquet", Status::Ok();
  if (is(0, "PAR1", 4)) return refuse(path, "starts like Parquet (PAR1) but does not end with PAR1: truncated or not Parquet");
  // gzip: magic 1F 8B and compression method 8 (deflate), the only one defined.
  if (is(0, "\x1f\x8b\x08", 3)) return refuse(path, "gzip-compressed file: decompress or tokenize it first (bimix reads token files)");
  if (is(0, "\x28\xb5\x2f\xfd", 4)) return refuse(path, "zstd-compressed file: decompress or tokenize it first (bimix reads token files)");
  if (is(0, "BZh", 3) && n >= 4 && head[3] >= '1' && head[3] <= '9')
    return refuse(path, "bzip2-compressed file: decompress or tokenize it first (bimix reads token files)");
  if (is(0, "\xfd" "7zXZ\x00", 6)) return refuse(path, "xz-compressed file: decompress or tokenize it first (bimix reads token files)");
  if (is(0, "PK\x03\x04", 4)) return refuse(path, "zip archive: extract the token files first");
  if (is(257, "ustar", 5)) return refuse(path, "tar archive (webdataset?): extract the token files, or tokenize the samples first");
  if (n >= 6 && head[0] == 0x93 && std::memcmp(head + 1, "NUMPY", 5) == 0) return format = "npy", Status::Ok();
  if (n >= 4) {
    int32_t magic = loadLE<int32_t>(head);
    if (magic == 20240520 || magic == 20240801) return format = "llmc", Status::Ok();
  }
  if (fileExists(path + ".index")) return format = "datatrove", Status::Ok();
  if (looksLikeText(head, n)) {
    size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
    if (i < n && (head[i] == '{' || head[i] == '['))
      return refuse(path, "JSON/JSONL text, not tokens: tokenize it first (pass --format raw only if it truly holds u8 tokens)");
    return refuse(path, "plain text, not tokens: tokenize it first (pass --format raw only if it truly holds u8 tokens)");
  }
  const std::string ext = extension(path);
  if (ext == ".bin") {
    std::string stem = baseName(path).substr(0, baseName(path).size() - 4);
    if (endsWith(stem, "_document") || endsWith(stem, "_sentence"))
      return refuse(path, "named like a Megatron dataset but " + baseName(idx) +
                              " is missing: copy the .idx beside it (or pass --format raw to read headerless tokens "
                              "without document boundaries)");
    return format = "raw", Status::Ok();
  }
  if (ext.empty() || ext == ".u8" || ext == ".u16" || ext == ".u32" || ext == ".tokens" || ext == ".npy")
    return format = "raw", Status::Ok();
  if (ext == ".arrow")
    return refuse(path, "named .arrow but without the Arrow IPC signature (a stream from before Arrow 0.15?): pass "
                        "--format arrow to read it as an Arrow stream");
  if (ext == ".parquet") return refuse(path, "named .parquet but without the PAR1 magic: not a Parquet file");
  return refuse(path, "cannot tell what this file holds: no known signature, and '" + ext +
                          "' is not a raw token name (.bin, .u16, .u32, .tokens, none); pass --format NAME "
                          "(--format raw for headerless tokens)");
}

}  // namespace bimix
