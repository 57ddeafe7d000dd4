/**
 * Debug-only phase markers. With BIMIX_DEBUG_PHASES=1 every phase of a run
 * (plan, count, reduce, spill-merge, bootstrap, vne, task, merge, fit) prints
 * `bimix: debug: phase NAME` on stderr as it starts, so the fault-injection tests
 * can send a signal while a given phase runs. Off (and silent) by default.
 */

/** Marks the start of a phase when BIMIX_DEBUG_PHASES is set. */
export function debugPhase(name: string): void {
  if (process.env.BIMIX_DEBUG_PHASES) process.stderr.write(`bimix: debug: phase ${name}\n`);
}
