#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bimix {

MappedFile::~MappedFile() { reset(); }

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = other.data_;
    size_ = other.size_;
    mtimeNs_ = other.mtimeNs_;
    path_ = std::move(other.path_);
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void MappedFile::reset() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

Status MappedFile::open(const std::string& path) {
  reset();
  path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(ec::E_IO, path, -1, std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::Error(ec::E_IO, path, -1, std::string("cannot stat: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(ec::E_IO, path, -1, "not a regular file");
  }
  mtimeNs_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      size_ = 0;
      return Status::Error(ec::E_IO, path, -1, std::string("cannot map: ") + std::strerror(err));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return Status::Ok();
}

void MappedFile::adviseSequential(uint64_t offset, uint64_t length) const {
  if (data_ == nullptr || length == 0) return;
  const uint64_t page = 4096;
  uint64_t start = offset & ~(page - 1);
  if (start >= size_) return;
  uint64_t end = offset + length > size_ ? size_ : offset + length;
  madvise(const_cast<uint8_t*>(data_) + start, end - start, MADV_SEQUENTIAL);
  madvise(const_cast<uint8_t*>(data_) + start, end - start, MADV_WILLNEED);
}

bool fileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status readSmallFile(const std::string& path, std::string& out, uint64_t maxBytes) {
  MappedFile f;
  BIMIX_TRY(f.open(path));
  if (f.size() > maxBytes) return Status::Error(ec::E_FORMAT, path, -1, "file is unexpectedly large");
  out.assign(reinterpret_cast<const char*>(f.data()), f.size());
  return Status::Ok();
}

}  // namespace bimix
