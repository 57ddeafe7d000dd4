#include "mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "fault_guard.h"

namespace bimix {

MappedFile::~MappedFile() { reset(); }

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = other.data_;
    size_ = other.size_;
    mtimeNs_ = other.mtimeNs_;
    mapped_ = other.mapped_;
    path_ = std::move(other.path_);
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void MappedFile::reset() {
  if (data_ != nullptr) {
    if (mapped_) munmap(const_cast<uint8_t*>(data_), size_);
    else std::free(const_cast<uint8_t*>(data_));
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

Status MappedFile::open(const std::string& path) {
  reset();
  path_ = path;
  int fd = -1;
  struct stat st;
  BIMIX_TRY(openRegular(path, fd, st));
  mtimeNs_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0 && size_ <= kReadBelowBytes) {
    // Small files are read, not mapped: one read costs less than mmap plus
    // munmap, uses no map-count slot, and cannot fault if the file shrinks.
    uint8_t* buf = static_cast<uint8_t*>(std::malloc(size_));
    if (buf == nullptr) {
      ::close(fd);
      size_ = 0;
      return Status::Error(ec::E_NOMEM, path, -1, "cannot allocate a read buffer");
    }
    uint64_t got = 0;
    while (got < size_) {
      ssize_t n = ::pread(fd, buf + got, size_ - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<uint64_t>(n);
    }
    ::close(fd);
    data_ = buf;
    if (got != size_) {
      reset();
      return Status::Error(ec::E_CHANGED, path, static_cast<int64_t>(got), "changed while being read (it shrank)");
    }
    return Status::Ok();
  }
  if (size_ > 0) {
    mapped_ = true;
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      size_ = 0;
      mapped_ = false;
      if (err == ENOMEM)
        return Status::Error(ec::E_NOMEM, path, -1,
                             "cannot map: out of address space or mappings (vm.max_map_count); " + std::string(std::strerror(err)));
      return Status::Error(ec::E_IO, path, -1, std::string("cannot map: ") + std::strerror(err));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return Status::Ok();
}

Status MappedFile::checkUnchanged() const {
  // Nothing opened (a part of a source whose parent holds the mapping, or tokens held in memory).
  if (path_.empty()) return Status::Ok();
  FileStamp was;
  was.size = size_;
  was.mtimeNs = mtimeNs_;
  return bimix::checkUnchanged(path_, was);
}

void MappedFile::adviseSequential(uint64_t offset, uint64_t length) const {
  // Below 1 MB the kernel's own readahead does as well; the advice would cost
  // two system calls per chunk for nothing.
  if (!mapped_ || length < (uint64_t{1} << 20)) return;
  const uint64_t page = 4096;
  uint64_t start = offset & ~(page - 1);
  if (start >= size_) return;
  uint64_t end = offset + length > size_ ? size_ : offset + length;
  madvise(const_cast<uint8_t*>(data_) + start, end - start, MADV_SEQUENTIAL);
  madvise(const_cast<uint8_t*>(data_) + start, end - start, MADV_WILLNEED);
}

Status openRegular(const std::string& path, int& fd, struct stat& st) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::Error(ec::E_IO, path, -1, "does not exist");
    return Status::Error(ec::E_IO, path, -1, std::string("cannot open: ") + std::strerror(err));
  }
  if (fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    fd = -1;
    return Status::Error(ec::E_IO, path, -1, std::string("cannot stat: ") + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fd = -1;
    return Status::Error(ec::E_IO, path, -1, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  }
  return Status::Ok();
}

bool fileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

Status readSmallFile(const std::string& path, std::string& out, uint64_t maxBytes) {
  // Read, not mapped: a small file gains nothing from a mapping, and a read
  // cannot fault if the file shrinks meanwhile.
  int fd = -1;
  struct stat st;
  BIMIX_TRY(openRegular(path, fd, st));
  if (static_cast<uint64_t>(st.st_size) > maxBytes) {
    ::close(fd);
    return Status::Error(ec::E_FORMAT, path, -1,
                         "file is unexpectedly large (" + std::to_string(st.st_size) + " bytes, at most " +
                             std::to_string(maxBytes) + " expected)");
  }
  out.assign(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, &out[got], out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != out.size()) return Status::Error(ec::E_CHANGED, path, static_cast<int64_t>(got), "changed while being read");
  return Status::Ok();
}

int peekFile(const std::string& path, uint8_t* buf, size_t n) {
  int fd = -1;
  struct stat st;
  if (!openRegular(path, fd, st).ok()) return -1;
  ssize_t got = ::read(fd, buf, n);
  ::close(fd);
  return got < 0 ? 0 : static_cast<int>(got);
}

}  // namespace bimix
