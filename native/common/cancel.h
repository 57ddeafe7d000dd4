// Cooperative cancellation. Long kernel loops poll a CancelToken and return
// E_INTERRUPTED when it is set. Tokens point into a small process-wide table of
// flags: a run takes one slot, the binding sets it from the main thread when the
// run is aborted, and worker threads (same process) see it on their next poll.
// Slot 0 is never set, so a kernel called without a run's slot is not cancellable.
#pragma once
#include <atomic>
#include <cstdint>

#include "status.h"

namespace bimix {

constexpr uint32_t kCancelSlots = 256;

// One flag per slot; an inline variable has one instance per process (C++17).
inline std::atomic<bool> gCancelSlots[kCancelSlots] = {};

// What a kernel polls. Copyable; null means "never cancelled".
struct CancelToken {
  const std::atomic<bool>* flag = nullptr;
  bool requested() const { return flag != nullptr && flag->load(std::memory_order_relaxed); }
};

inline CancelToken cancelTokenForSlot(uint32_t slot) {
  return CancelToken{slot < kCancelSlots ? &gCancelSlots[slot] : nullptr};
}

inline void setCancelSlot(uint32_t slot, bool value) {
  if (slot != 0 && slot < kCancelSlots) gCancelSlots[slot].store(value, std::memory_order_relaxed);
}

inline Status interruptedStatus() { return Status::Error(ec::E_INTERRUPTED, "", -1, "interrupted"); }

// Checks the token on the first call and every `every` calls after (a power of
// two), so hot loops pay one increment and a mask per iteration.
class CancelPoll {
 public:
  CancelPoll(CancelToken token, uint32_t every) : token_(token), mask_(every - 1) {}
  bool stop() { return (n_++ & mask_) == 0 && token_.requested(); }

 private:
  CancelToken token_;
  uint32_t mask_;
  uint32_t n_ = 0;
};

}  // namespace bimix
