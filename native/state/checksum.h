// A fast 64-bit checksum for partial-state files (not cryptographic: it guards
// against truncation, bit rot and mixing up files, not against an adversary).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bimix {

class Checksum {
 public:
  void update(const uint8_t* p, size_t n) {
    // Finish a pending partial word first so the result does not depend on how
    // the stream was split into update() calls.
    while (n > 0 && pending_ > 0) {
      buf_[pending_++] = *p++;
      --n;
      if (pending_ == 8) {
        word(load(buf_));
        pending_ = 0;
      }
    }
    while (n >= 8) {
      word(load(p));
      p += 8;
      n -= 8;
    }
    while (n > 0 && pending_ < 8) {
      buf_[pending_++] = *p++;
      --n;
    }
  }
  uint64_t digest() const {
    uint64_t h = h_;
    if (pending_ > 0) {
      uint8_t tail[8] = {0};
      std::memcpy(tail, buf_, pending_);
      h = mix(h, load(tail) ^ (static_cast<uint64_t>(pending_) << 56));
    }
    h ^= length_ * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
  }

 private:
  static uint64_t load(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t mix(uint64_t h, uint64_t w) {
    w *= 0x87C37B91114253D5ULL;
    w = (w << 31) | (w >> 33);
    w *= 0x4CF5AD432745937FULL;
    h ^= w;
    h = (h << 27) | (h >> 37);
    return h * 5 + 0x52DCE729;
  }
  void word(uint64_t w) {
    h_ = mix(h_, w);
    length_ += 8;
  }
  uint64_t h_ = 0x243F6A8885A308D3ULL;
  uint64_t length_ = 0;
  uint8_t buf_[8] = {0};
  size_t pending_ = 0;
};

inline uint64_t checksumOf(const uint8_t* p, size_t n) {
  Checksum c;
  c.update(p, n);
  return c.digest();
}

}  // namespace bimix
