// Reading mapped files that may change underneath. A file truncated by another
// process while mapped raises SIGBUS on the next read of a page past its new end;
// unguarded, that kills the whole process. guardMappedRead runs a read-only pass
// over mapped memory with SIGBUS on the calling thread turned into a Status.
//
// The guard is per call (one sigsetjmp, about one syscall), so it belongs around a
// chunk or a header parse, never around a token. Code inside `fn` must not hold
// locks or own resources it would leak-and-break when the pass is abandoned: only
// memory is leaked, and the caller must treat its state as poisoned.
#pragma once
#include <cstdint>
#include <string>

#include "status.h"

namespace bimix {

// A callable that returns a Status, without std::function's allocation.
class StatusFn {
 public:
  template <typename F>
  StatusFn(F& f) : obj_(&f), call_([](void* o) -> Status { return (*static_cast<F*>(o))(); }) {}  // NOLINT
  Status operator()() const { return call_(obj_); }

 private:
  void* obj_;
  Status (*call_)(void*);
};

// Runs fn(); a SIGBUS raised on this thread while it runs ends it early and
// yields E_CHANGED naming `file`. Guards nest; other threads are unaffected.
Status guardMappedRead(const std::string& file, StatusFn fn);

// Size and modification time of a file as seen by fstat/stat.
struct FileStamp {
  uint64_t size = 0;
  int64_t mtimeNs = 0;
  bool operator==(const FileStamp& o) const { return size == o.size && mtimeNs == o.mtimeNs; }
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
};

// E_CHANGED when `path` no longer has the size and mtime in `was` (or is gone).
Status checkUnchanged(const std::string& path, const FileStamp& was);

}  // namespace bimix
