// Read-only memory mapping of a whole file. Empty files are represented without
// a mapping (data() == nullptr, size() == 0) so callers can report them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

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

  // Maps `path`; fails with E_IO when the file cannot be opened or mapped.
  Status open(const std::string& path);
  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  int64_t mtimeNs() const { return mtimeNs_; }
  // Hints the kernel that the range will be read sequentially soon.
  void adviseSequential(uint64_t offset, uint64_t length) const;

 private:
  void reset();
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  int64_t mtimeNs_ = 0;
  std::string path_;
};

// True when `path` names an existing regular file.
bool fileExists(const std::string& path);

// Reads a whole (small) file into `out`; E_IO on failure.
Status readSmallFile(const std::string& path, std::string& out, uint64_t maxBytes);

}  // namespace bimix
