// Read-only memory mapping of a whole file (a private copy for files of at most
// 64 KB). Empty files are represented without data (data() == nullptr,
// size() == 0) so callers can report them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

struct stat;

#include "status.h"

namespace bimix {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  // Maps (or, when small, reads) `path`; E_IO when it cannot be opened or is not a regular file.
  Status open(const std::string& path);
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  int64_t mtimeNs() const { return mtimeNs_; }
  // E_CHANGED when the file's size or mtime differ from when it was mapped.
  Status checkUnchanged() const;
  // Hints the kernel that the range will be read sequentially soon.
  void adviseSequential(uint64_t offset, uint64_t length) const;

 private:
  void reset();
  // Files up to this size are read into memory instead of mapped.
  static constexpr uint64_t kReadBelowBytes = 64 * 1024;
  const uint8_t* data_ = nullptr;
  bool mapped_ = false;  // data_ is a mapping (else a malloc'd copy)
  uint64_t size_ = 0;
  int64_t mtimeNs_ = 0;
  std::string path_;
};

// True when `path` exists and is not a directory. A FIFO or device counts, so
// that format detection picks the reader that then refuses it by name instead of
// silently reading the neighbouring file some other way.
bool fileExists(const std::string& path);

// Opens `path` read-only without blocking (a FIFO cannot hang the open) and
// checks with fstat that it is a regular file; E_IO ("does not exist", "is a
// directory", "not a regular file") otherwise. On success the caller owns `fd`.
Status openRegular(const std::string& path, int& fd, struct stat& st);

// Reads a whole (small) regular file into `out`; E_IO on failure, E_FORMAT past maxBytes.
Status readSmallFile(const std::string& path, std::string& out, uint64_t maxBytes);

// Reads up to `n` leading bytes of a regular file without blocking; returns how
// many were read, or -1 when the path is missing or not a regular file.
int peekFile(const std::string& path, uint8_t* buf, size_t n);

}  // namespace bimix
