// Helpers shared by the libFuzzer targets: a per-process scratch folder for the
// targets that must go through real files (mmap-based readers), and a check
// that aborts (so libFuzzer records a crash) with a message.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace bimix_fuzz {

inline const std::string& scratchDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("BIMIX_FUZZ_TMP");
    std::string d = std::string(base != nullptr ? base : "/tmp") + "/bimix-fuzz-" + std::to_string(::getpid());
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) std::abort();
    return d;
  }();
  return dir;
}

inline bool writeFile(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

#define FUZZ_CHECK(cond, msg)                                                  \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", msg, __FILE__, __LINE__); \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

}  // namespace bimix_fuzz
