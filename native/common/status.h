// Status: the one error channel of the native kernels. Kernels never throw across
// their API and hold no Node-API types; the binding turns a failed Status into a
// JavaScript error carrying `code`, `file` and `offset`.
#pragma once
#include <cstdint>
#include <string>
#include <utility>

#include "error_codes.h"

namespace bimix {

struct Status {
  std::string code;  // empty when ok; otherwise one of the codes in error_codes.h (ec::E_FORMAT, ...)
  std::string message;
  std::string file;
  int64_t offset = -1;  // byte offset in `file`, or -1 when not known

  bool ok() const { return code.empty(); }
  static Status Ok() { return Status{}; }
  static Status Error(std::string code, std::string file, int64_t offset, std::string message) {
    Status s;
    s.code = std::move(code);
    s.file = std::move(file);
    s.offset = offset;
    s.message = std::move(message);
    return s;
  }
};

#define BIMIX_TRY(expr)              \
  do {                               \
    ::bimix::Status _s = (expr);     \
    if (!_s.ok()) return _s;         \
  } while (0)

}  // namespace bimix
