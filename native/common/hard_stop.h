// A hard deadline for stop signals (SIGINT, SIGTERM, SIGHUP), for when the
// JavaScript main thread is too busy to run its own handler (a long synchronous
// fit, a blocking read). Once armed, the first stop signal starts a watchdog
// thread; unless the main thread acknowledges the signal within the grace period
// (it then unwinds and exits by itself), the watchdog removes the registered
// cleanup paths, writes `bimix: interrupted (SIG...); nothing written` and exits
// 128 + signal number. A second signal before the deadline exits at once.
// The previous handlers (libuv's) are chained, so the JavaScript side still
// sees every signal. No Node-API here.
#pragma once
#include <string>

namespace bimix {

// Installs the handlers (chained to the current ones) and starts the watchdog
// thread on first use. Re-arming after disarmHardStop() is allowed.
void armHardStop(unsigned graceMs);
// Restores the handlers found at arming time; the watchdog stands down.
void disarmHardStop();
// The main thread saw the stop signal and owns the exit from now on.
void acknowledgeStop();
// Paths (files or folders) the watchdog removes before exiting.
void addCleanupPath(const std::string& path);
void removeCleanupPath(const std::string& path);

}  // namespace bimix
