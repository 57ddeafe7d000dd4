// See hard_stop.h. The signal handler only touches atomics and sem_post (both
// async-signal-safe); everything else happens on the watchdog thread.
#include "hard_stop.h"

#include <semaphore.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace bimix {
namespace {

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction gPrev[3];
std::atomic<bool> gArmed{false};
std::atomic<int> gSignal{0};
std::atomic<bool> gAcknowledged{false};
std::atomic<unsigned> gGraceMs{750};
sem_t gWake;
std::once_flag gStarted;
std::mutex gPathsMutex;

std::set<std::string>& cleanupPaths() {
  static std::set<std::string> paths;
  return paths;
}

int indexOf(int sig) {
  for (int i = 0; i < 3; ++i)
    if (kSignals[i] == sig) return i;
  return -1;
}

void onSignal(int sig, siginfo_t* info, void* ctx) {
  if (gArmed.load()) {
    int none = 0;
    // First signal: start the deadline. Later ones, while unacknowledged: end it now.
    if (gSignal.compare_exchange_strong(none, sig) || !gAcknowledged.load()) sem_post(&gWake);
  }
  const int i = indexOf(sig);
  if (i < 0) return;
  const struct sigaction& prev = gPrev[i];
  if ((prev.sa_flags & SA_SIGINFO) != 0) {
    if (prev.sa_sigaction != nullptr) prev.sa_sigaction(sig, info, ctx);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN && prev.sa_handler != nullptr) {
    prev.sa_handler(sig);
  }
}

[[noreturn]] void exitNow() {
  const int sig = gSignal.load();
  {
    std::lock_guard<std::mutex> lock(gPathsMutex);
    for (const std::string& p : cleanupPaths()) {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  }
  const char* name = sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT";
  const std::string line = std::string("bimix: interrupted (") + name + "); nothing written\n";
  ssize_t written = ::write(2, line.data(), line.size());
  (void)written;
  ::_exit(128 + sig);
}

bool standingDown() { return !gArmed.load() || gAcknowledged.load(); }

void watchdog() {
  for (;;) {
    while (sem_wait(&gWake) != 0) {
    }
    if (standingDown()) continue;
    timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    const unsigned ms = gGraceMs.load();
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += static_cast<long>(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
      deadline.tv_sec += 1;
      deadline.tv_nsec -= 1000000000L;
    }
    int r;
    do r = sem_timedwait(&gWake, &deadline);
    while (r != 0 && errno == EINTR);
    if (standingDown()) continue;
    exitNow();
  }
}

}  // namespace

void armHardStop(unsigned graceMs) {
  std::call_once(gStarted, [] {
    sem_init(&gWake, 0, 0);
    std::thread(watchdog).detach();
  });
  gArmed.store(false);
  while (sem_trywait(&gWake) == 0) {
  }
  gGraceMs.store(graceMs);
  gSignal.store(0);
  gAcknowledged.store(false);
  for (int i = 0; i < 3; ++i) {
    struct sigaction sa {};
    sa.sa_sigaction = onSignal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(kSignals[i], &sa, &gPrev[i]);
  }
  gArmed.store(true);
}

void disarmHardStop() {
  if (!gArmed.exchange(false)) return;
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &gPrev[i], nullptr);
}

void acknowledgeStop() { gAcknowledged.store(true); }

void addCleanupPath(const std::string& path) {
  std::lock_guard<std::mutex> lock(gPathsMutex);
  cleanupPaths().insert(path);
}

void removeCleanupPath(const std::string& path) {
  std::lock_guard<std::mutex> lock(gPathsMutex);
  cleanupPaths().erase(path);
}

}  // namespace bimix
