// A large scratch buffer backed by anonymous memory that asks for transparent huge
// pages (fewer TLB misses when scattering keys over hundreds of MB).
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace bimix {

class HugeBuffer {
 public:
  HugeBuffer() = default;
  ~HugeBuffer() { release(); }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  // Ensures at least `bytes` of capacity; contents are not preserved. False on failure.
  bool reserve(size_t bytes) {
    if (bytes <= size_) return true;
    release();
    const size_t huge = size_t{2} << 20;
    size_t len = (bytes + huge - 1) / huge * huge;
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return false;
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE);
#endif
    data_ = static_cast<uint8_t*>(p);
    size_ = len;
    return true;
  }
  void release() {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = nullptr;
    size_ = 0;
  }
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace bimix
