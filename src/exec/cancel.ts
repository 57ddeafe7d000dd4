/**
 * Cancellation of one run. An AbortSignal is tied to a native cancel slot: when
 * the signal aborts, the slot's flag is raised and every kernel of the run, in
 * whichever worker thread, returns E_INTERRUPTED at its next poll. The library
 * raises E_INTERRUPTED too, so an interrupted run ends in exactly one error.
 */
import { BimixError, isBimixError } from '../errors.js';
import { loadAddon } from '../engine/native.js';

/** The error an interrupted run ends with. */
function interruptedError(): BimixError {
  return new BimixError('E_INTERRUPTED', 'interrupted; nothing written');
}

/** True for the error an interrupted run (or one of its tasks) ends with. */
function isInterrupted(e: unknown): boolean {
  return isBimixError(e) && e.code === 'E_INTERRUPTED';
}

// Slot 0 is never raised (runs without a signal); the rest are handed out per run.
const slotsInUse = new Set<number>();

function takeSlot(): number {
  const n = loadAddon().cancelSlots;
  for (let s = 1; s < n; s++) {
    if (!slotsInUse.has(s)) {
      slotsInUse.add(s);
      return s;
    }
  }
  // More concurrent runs than slots: this run is only cancelled between native calls.
  return 0;
}

/** One run's cancellation: its native slot and its AbortSignal. Dispose when the run ends. */
export class RunCancel {
  /** Passed to workers and kernels (`cancel` option); 0 when the run has no signal. */
  readonly slot: number;
  private readonly onAbort = () => this.raise();

  constructor(private readonly signal?: AbortSignal) {
    this.slot = signal ? takeSlot() : 0;
    if (!signal) return;
    if (signal.aborted) this.raise();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** True once the run's signal aborted. */
  get requested(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Throws E_INTERRUPTED when the run was aborted; call between phases. */
  check(): void {
    if (this.requested) throw interruptedError();
  }

  /**
   * Awaits every task of a fan-out and throws the first real failure, or
   * E_INTERRUPTED as soon as the run is aborted: tasks still starting up are not
   * waited for; closing the pool stops them (their kernels already see the flag).
   */
  async settle<T>(runs: Promise<T>[]): Promise<T[]> {
    const all = Promise.allSettled(runs);
    const signal = this.signal;
    if (signal && !signal.aborted) {
      let onAbort = () => {};
      const aborted = new Promise<void>((resolve) => (onAbort = resolve));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([all, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    this.check();
    const settled = await all;
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
    if (failures.length > 0) throw failures.find((e) => !isInterrupted(e)) ?? failures[0];
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  /** Lowers the flag and frees the slot. */
  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.slot === 0) return;
    loadAddon().setCancelled(this.slot, false);
    slotsInUse.delete(this.slot);
  }

  private raise(): void {
    if (this.slot !== 0) loadAddon().setCancelled(this.slot, true);
  }
}

/** Worker side: throws E_INTERRUPTED when the run owning `slot` was cancelled. */
export function throwIfCancelled(slot: number | undefined): void {
  if (slot && loadAddon().cancelRequested(slot)) throw interruptedError();
}
