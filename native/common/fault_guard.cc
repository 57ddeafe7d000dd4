#include "fault_guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstring>
#include <mutex>

namespace bimix {

namespace {

// The innermost active guard of this thread. It is written before any fault can
// happen on the thread, so the handler never touches a fresh TLS slot.
thread_local sigjmp_buf* tGuard = nullptr;
struct sigaction gPrevious;
std::once_flag gInstalled;

void onSigbus(int sig, siginfo_t* info, void* context) {
  sigjmp_buf* guard = tGuard;
  if (guard != nullptr) siglongjmp(*guard, 1);
  // Not a guarded read: behave as if we had never been installed.
  if (gPrevious.sa_flags & SA_SIGINFO) {
    if (gPrevious.sa_sigaction != nullptr) gPrevious.sa_sigaction(sig, info, context);
    return;
  }
  if (gPrevious.sa_handler == SIG_IGN) return;
  if (gPrevious.sa_handler != SIG_DFL && gPrevious.sa_handler != nullptr) {
    gPrevious.sa_handler(sig);
    return;
  }
  // Default action: restore it and re-raise; the signal is delivered when the
  // handler returns (a hardware fault re-faults on the same instruction anyway).
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGBUS, &dfl, nullptr);
  raise(SIGBUS);
}

void install() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = onSigbus;
  // SA_NODEFER: SIGBUS stays unblocked in the handler, so the jump out of it
  // needs no signal-mask restore and sigsetjmp need not save the mask (saving
  // it costs a system call per guard; this way a guard costs none).
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, &gPrevious);
}

// Kept out of line so nothing of the caller's frame lives across the longjmp.
__attribute__((noinline)) void runGuarded(StatusFn& fn, Status& out) { out = fn(); }

// Out of line too: no string is built in the frame that called sigsetjmp.
__attribute__((noinline)) Status abandoned(const std::string& file) {
  sigset_t bus;
  sigemptyset(&bus);
  sigaddset(&bus, SIGBUS);
  pthread_sigmask(SIG_UNBLOCK, &bus, nullptr);
  return Status::Error(ec::E_CHANGED, file, -1, "changed while being read (the mapped file shrank)");
}

}  // namespace

Status guardMappedRead(const std::string& file, StatusFn fn) {
  std::call_once(gInstalled, install);
  sigjmp_buf jump;
  sigjmp_buf* volatile outer = tGuard;
  Status result;
  if (sigsetjmp(jump, 0) != 0) {
    tGuard = outer;
    // Unblocking is belt and braces (SA_NODEFER keeps SIGBUS unblocked): a
    // blocked synchronous SIGBUS would kill the process on the next fault.
    return abandoned(file);
  }
  tGuard = &jump;
  runGuarded(fn, result);
  tGuard = outer;
  return result;
}

Status checkUnchanged(const std::string& path, const FileStamp& was) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::Error(ec::E_CHANGED, path, -1, "changed while being read (it was removed)");
  FileStamp now;
  now.size = static_cast<uint64_t>(st.st_size);
  now.mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  if (now != was)
    return Status::Error(ec::E_CHANGED, path, -1,
                         "changed while being read (" + std::to_string(was.size) + " bytes when opened, now " +
                             std::to_string(now.size) + (now.mtimeNs != was.mtimeNs ? ", modified" : "") + ")");
  return Status::Ok();
}

}  // namespace bimix
