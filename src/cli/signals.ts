/**
 * The command line's one cancellation path. SIGINT, SIGTERM and SIGHUP abort
 * the signal every command hands to the library; the run unwinds (kernels see
 * their cancel flag, temporary folders are removed, no output is published) and
 * the process exits 128 + signal number with one line on stderr. A second
 * signal, or a run still unwinding after GRACE_MS, exits at once after removing
 * the registered temporary paths synchronously. When the main thread is too busy
 * to run any handler (a long synchronous fit), the addon's watchdog thread does
 * the same after NATIVE_GRACE_MS (native/common/hard_stop.h).
 */
import { writeSync } from 'node:fs';
import { loadAddon, type NativeAddon } from '../engine/native.js';
import { removeOwnedPathsSync } from '../exec/temp-dirs.js';
import { setProcessStopSignal } from '../util/stop-request.js';

type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 };
const STOP_SIGNALS = Object.keys(EXIT_CODES) as StopSignal[];

/** How long a run may take to unwind after the first signal before the process exits anyway. */
const GRACE_MS = 750;
/** The native deadline when the main thread does not get to run its handler at all. */
const NATIVE_GRACE_MS = 600;

let controller = new AbortController();
let received: StopSignal | undefined;
let announced = false;
let watchdog: NodeJS.Timeout | undefined;

let hardStop: NativeAddon | undefined;

function onSignal(sig: NodeJS.Signals): void {
  // The main thread runs: it owns the exit, the native watchdog stands down.
  hardStop?.acknowledgeStop();
  if (received) {
    exitNow();
    return;
  }
  received = sig as StopSignal;
  controller.abort();
  watchdog = setTimeout(exitNow, GRACE_MS);
  watchdog.unref();
}

/** Removes what the run registered, prints the line and exits; for paths that cannot wait. */
function exitNow(): void {
  removeOwnedPathsSync();
  process.exit(announceInterrupted());
}

/** Starts handling the stop signals for one command-line run; returns the signal commands pass on. */
export function installSignalHandlers(): AbortSignal {
  controller = new AbortController();
  received = undefined;
  announced = false;
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // After process.on, so the native handlers chain to Node's.
  try {
    hardStop = loadAddon();
    hardStop.armHardStop(NATIVE_GRACE_MS);
  } catch {
    hardStop = undefined; // no addon: only the JavaScript handlers
  }
  setProcessStopSignal(controller.signal);
  return controller.signal;
}

/** Stops handling the stop signals (the run finished); their default action applies again. */
export function uninstallSignalHandlers(): void {
  hardStop?.disarmHardStop();
  hardStop = undefined;
  for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  if (watchdog) clearTimeout(watchdog);
  watchdog = undefined;
  setProcessStopSignal(undefined);
}

/** The signal of the current command-line run: aborted by SIGINT, SIGTERM or SIGHUP. */
export function runSignal(): AbortSignal {
  return controller.signal;
}

/** True once a stop signal arrived during this run. */
export function wasInterrupted(): boolean {
  return received !== undefined;
}

/**
 * Prints `bimix: interrupted (SIGNAL); nothing written` (or `; DETAIL` when the
 * command knows better, such as Slurm jobs that keep running) once, and returns
 * the exit code (128 + signal number).
 */
export function announceInterrupted(detail = 'nothing written'): number {
  const sig = received ?? 'SIGINT';
  if (!announced) {
    announced = true;
    // Synchronous, so the line is out even when process.exit follows at once.
    // On a terminal, first clear a progress line the run may have left open.
    writeSync(2, `${process.stderr.isTTY ? '\r\x1b[K' : ''}bimix: interrupted (${sig}); ${detail}\n`);
  }
  return EXIT_CODES[sig];
}
