/**
 * The one fan-out of chunked work: `min(threads, chunks)` copies of a task run on the pool and
 * claim chunks through one shared counter, so a fast worker takes more chunks and every chunk is
 * done exactly once. Used by analyze counting, VNE embedding and the Slurm count task.
 */
import type { RunCancel } from './cancel.js';
import type { WorkerPool } from './pool.js';
import type { Task } from './protocol.js';

/**
 * Starts the task copies made by `makeTask(t, claim)` (t = 0..n-1, all sharing `claim`, a
 * 4-byte SharedArrayBuffer counter) and waits for all of them; an abort stops the wait at once
 * ({@link RunCancel.settle}). Returns the results in task order.
 */
export async function fanOut<R>(
  pool: WorkerPool,
  cancel: RunCancel,
  threads: number,
  chunks: number,
  makeTask: (t: number, claim: SharedArrayBuffer) => Task,
): Promise<R[]> {
  const claim = new SharedArrayBuffer(4);
  const tasks = Math.max(1, Math.min(threads, chunks));
  const runs: Promise<R>[] = [];
  for (let t = 0; t < tasks; t++) runs.push(pool.run<R>(makeTask(t, claim)));
  return cancel.settle(runs);
}
