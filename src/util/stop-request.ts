/**
 * A process-wide stop request. The CLI's signal handlers abort it; writers check
 * it right before publishing a file, so an interrupted process writes no result
 * even when the signal lands after the computation but before the write.
 */
import { BimixError } from '../errors.js';

let processStop: AbortSignal | undefined;

/** Registers the signal that stops the whole process (undefined: none). */
export function setProcessStopSignal(signal: AbortSignal | undefined): void {
  processStop = signal;
}

/** Throws E_INTERRUPTED once the process was asked to stop. */
export function throwIfProcessStopping(): void {
  if (processStop?.aborted) throw new BimixError('E_INTERRUPTED', 'interrupted; nothing written');
}
