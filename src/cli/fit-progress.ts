/** Progress of law fitting on stderr: only on a terminal and without --quiet. */
import type { FitProgress } from '../laws/law-pool.js';

/** Returns a progress callback (or undefined when progress should not show). */
export function fitProgressReporter(quiet: boolean | undefined, domains: readonly string[], folds: number): FitProgress | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  const start = Date.now();
  return (done, total, job) => {
    const secs = (Date.now() - start) / 1000;
    const left = done > 0 ? (secs / done) * (total - done) : 0;
    const where = job.fold < 0 ? 'all runs' : `fold ${job.fold + 1}/${folds}`;
    const line = `[${done}/${total}] ${job.law} law, ${domains[job.domain]}, ${where}  ETA ${left.toFixed(0)}s`;
    process.stderr.write(`\r\x1b[K${line}${done >= total ? '\n' : ''}`);
  };
}
